"""The development email backend: one console line per email with the link to open, the whole
message in a file under the mail folder."""

import io
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.urls import reverse

BACKEND = "apps.core.mail.DevelopmentEmailBackend"
CONFIRM = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1tXyZ:abc123/"


def send(message, tmp_path) -> str:
    out = io.StringIO()
    get_connection(BACKEND, directory=tmp_path, stream=out).send_messages([message])
    return out.getvalue()


def verification_email() -> EmailMultiAlternatives:
    body = (
        "Hello from social-medAI!\n\n"
        + "Some words.\n" * 30
        + f"To confirm this is correct, go to {CONFIRM}\n"
    )
    message = EmailMultiAlternatives(
        "[social-medAI] Please Confirm", body, "no-reply@x.local", ["ivy@example.com"]
    )
    message.attach_alternative(f'<p><a href="{CONFIRM}">Confirm</a></p>', "text/html")
    return message


def test_an_email_is_one_console_line_with_its_verification_link(tmp_path):
    printed = send(verification_email(), tmp_path)
    assert printed.count("\n") == 1
    assert printed.startswith("email to ivy@example.com: [social-medAI] Please Confirm — open file://")
    assert printed.rstrip("\n").endswith(f" ; verification link: {CONFIRM}")


def test_the_whole_message_is_written_to_the_file_the_line_names(tmp_path):
    printed = send(verification_email(), tmp_path)
    path = Path(printed.split("open file://")[1].split(" ; ")[0])
    assert path.parent == tmp_path.resolve() and path.suffix == ".eml"
    written = message_from_bytes(path.read_bytes())
    assert written["To"] == "ivy@example.com" and written["Subject"] == "[social-medAI] Please Confirm"
    text, html = (
        part.get_payload(decode=True).decode() for part in written.walk() if not part.is_multipart()
    )
    assert CONFIRM in text and "Some words." in text and CONFIRM in html


def test_a_password_reset_link_is_named_as_such(tmp_path):
    url = "http://127.0.0.1:8000/accounts/password/reset/key/1-set-password/"
    body = f"See http://127.0.0.1:8000/ or reset at {url}"
    printed = send(EmailMessage("Reset", body, to=["a@example.com"]), tmp_path)
    assert printed.rstrip("\n").endswith(f" ; password reset link: {url}")


def test_an_email_without_a_link_still_gets_its_line(tmp_path):
    printed = send(EmailMessage("Weekly summary", "Nothing to click.", to=["a@example.com"]), tmp_path)
    assert printed.count("\n") == 1 and " ; " not in printed
    assert len(list(tmp_path.glob("*.eml"))) == 1


@pytest.mark.django_db
def test_sign_up_in_development_prints_the_verification_link(
    client, settings, tmp_path, capsys, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND, settings.EMAIL_DEV_DIR = BACKEND, tmp_path
    password = "a-Long-enough-passphrase-42"
    data = {"email": "new@example.com", "role": "brand", "password1": password, "password2": password}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_signup"), data)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("email to")]
    assert len(lines) == 1
    assert lines[0].startswith("email to new@example.com: [social-medAI] ")
    assert "; verification link: http://testserver/accounts/confirm-email/" in lines[0]
