"""Development email backend: each email is written whole to a folder, the console gets one line.

Django's console backend prints every message in full (about 40 lines of MIME for an allauth
email), which buries `make run`'s other output. This one writes the message as an .eml file
under EMAIL_DEV_DIR (`.mail/` by default) and prints:

    email to ivy@example.com: [social-medAI] Please Confirm Your Email Address — open
    file:///…/.mail/20261207-175812-….eml ; verification link: http://127.0.0.1:8000/accounts/confirm-email/…/
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.text import slugify

URL = re.compile(r"https?://[^\s<>\"')]+")
# The link a person opens the email for, by what its path says it does.
LINK_KINDS = (
    ("/confirm-email/", "verification link"),
    ("/password/reset/key/", "password reset link"),
)


def email_link(body: str) -> tuple[str, str] | None:
    """The link worth showing on the console: (label, url), or None when the body has none."""
    urls = URL.findall(body or "")
    for marker, label in LINK_KINDS:
        for url in urls:
            if marker in url:
                return label, url
    return ("link", urls[0]) if urls else None


def email_summary(message, path: Path) -> str:
    """One line: who it is for, the subject, the file to open and the link inside."""
    line = f"email to {', '.join(message.to) or '(nobody)'}: {message.subject} — open {path.as_uri()}"
    body = message.body
    if not URL.search(body or ""):  # an HTML-only message: look in its HTML part
        body = " ".join(content for content, _ in getattr(message, "alternatives", []) or [])
    link = email_link(body)
    return f"{line} ; {link[0]}: {link[1]}" if link else line


class DevelopmentEmailBackend(BaseEmailBackend):
    def __init__(self, *, directory: str | Path | None = None, stream=None, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(directory or settings.EMAIL_DEV_DIR)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                for message in email_messages:
                    path = self._write(message, sent)
                    self.stream.write(email_summary(message, path) + "\n")
                    self.stream.flush()
                    sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent

    def _write(self, message, index: int) -> Path:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        name = f"{stamp}-{index}-{slugify(message.subject)[:60] or 'email'}.eml"
        path = (self.directory / name).resolve()
        path.write_bytes(message.message().as_bytes())
        return path
