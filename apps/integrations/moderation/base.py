"""The moderation interface: which words of a text are offensive (post copy and meme captions)."""

from __future__ import annotations

from typing import Protocol


class Moderator(Protocol):
    def offensive_words(self, text: str) -> list[str]:
        """The offensive words found in `text`, each once (case-insensitively), in the order the
        checker reports them; [] when there are none."""
