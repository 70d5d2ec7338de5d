"""How a meme is shown on the feed and detail pages (image URL and size, alt text, counters), shared
by the page views and the live events, which render one card for every viewer at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.memes import generation, render
from apps.memes.models import REACTIONS, Meme
from apps.memes.people import PublicAuthor, public_author

# Who is looking, as far as a card's buttons go: anonymous visitors get login links, members get
# vote and reaction buttons, staff also a Hide button. A live card is rendered once per audience.
ANON, MEMBER, STAFF = "anon", "member", "staff"
AUDIENCES = (ANON, MEMBER, STAFF)

DOWNLOAD_SIZES = ("thumbnail", "medium", "full")


def audience_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ANON
    return STAFF if user.is_staff else MEMBER


def meme_image_url(meme: Meme, size: str) -> str:
    """The stored-file URL of `meme` at `size` (the file view renders a missing size on first use)."""
    ext = generation.EXTENSIONS.get(meme.format, "jpg")
    try:
        return reverse("memes:file", args=[meme.cache_key, size, ext])
    except NoReverseMatch:
        return f"/memes/r/{meme.cache_key}-{size}.{ext}"


def image_size(meme: Meme, size: str) -> tuple[int, int]:
    """Width and height of the rendered image at `size` (as the renderer scales the template), so
    pages can reserve the space before the image loads."""
    w, h = meme.template.width or 0, meme.template.height or 0
    if not w or not h:
        return 0, 0
    scale = min(1.0, render.SIZES.get(size, render.MAX_SIDE) / w, render.MAX_SIDE / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    if days < 7:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return date_format(timezone.localtime(moment), "j M Y")


@dataclass(frozen=True)
class ReactionCount:
    key: str
    glyph: str
    count: int
    on: bool


@dataclass
class MemeCard:
    """A meme with one viewer's own vote and reactions (none for live cards, which are the same
    for everybody)."""

    meme: Meme
    vote: int = 0
    mine: frozenset[str] = field(default_factory=frozenset)

    @property
    def pk(self) -> int:
        return self.meme.pk

    @property
    def author(self) -> PublicAuthor:
        """The maker's public name and avatar (never their email)."""
        return public_author(self.meme.owner)

    @property
    def captions(self) -> list[str]:
        return [t for t in (self.meme.texts or []) if isinstance(t, str) and t.strip()]

    @property
    def alt(self) -> str:
        captions = " / ".join(self.captions)
        name = self.meme.template.name
        return f"Meme on “{name}”: {captions}" if captions else f"Meme on “{name}”"

    @property
    def image_url(self) -> str:
        return meme_image_url(self.meme, "medium")

    @property
    def image_width(self) -> int:
        return image_size(self.meme, "medium")[0]

    @property
    def image_height(self) -> int:
        return image_size(self.meme, "medium")[1]

    @property
    def full_url(self) -> str:
        return meme_image_url(self.meme, "full")

    @property
    def full_width(self) -> int:
        return image_size(self.meme, "full")[0]

    @property
    def full_height(self) -> int:
        return image_size(self.meme, "full")[1]

    @property
    def age(self) -> str:
        return time_ago(self.meme.created_at)

    @property
    def reactions(self) -> list[ReactionCount]:
        counts = self.meme.reactions or {}
        return [
            ReactionCount(key, glyph, int(counts.get(key, 0) or 0), key in self.mine)
            for key, glyph in REACTIONS.items()
        ]

    @property
    def downloads(self) -> list[dict]:
        ext = generation.EXTENSIONS.get(self.meme.format, "jpg")
        out = []
        for size in DOWNLOAD_SIZES:
            w, h = image_size(self.meme, size)
            out.append(
                {
                    "size": size,
                    "url": meme_image_url(self.meme, size),
                    "filename": f"meme-{self.pk}-{size}.{ext}",
                    "dimensions": f"{w}×{h}" if w else "",
                }
            )
        return out


def cards_for(memes, *, votes: dict[int, int] | None = None, reactions: dict | None = None) -> list[MemeCard]:
    votes, reactions = votes or {}, reactions or {}
    return [
        MemeCard(meme, vote=votes.get(meme.pk, 0), mine=frozenset(reactions.get(meme.pk, ())))
        for meme in memes
    ]
