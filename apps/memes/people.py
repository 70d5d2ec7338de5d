"""How a meme's maker is shown to the public: a name and an avatar that never come from the email.

The name is, in order: the influencer's public name (their profile's display name, or their
@handle) when their profile is public, the name the member chose (``display_name``), or else a
made-up one derived from the user's id ("Lively Otter 27"): the same every time, and saying nothing
about the person. The avatar is the public profile's photo when there is one, otherwise the name's
initials on a colour derived from the user's id (so two members called "Sam" still look apart).

A handle or photo address that would spell the email's local part (profiles made before handles
were chosen) is not used.

Reads only what ``selectors`` loads with the meme (the owner and their influencer profile, joined):
no query per card.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

# Where a meme's owner is read with its influencer profile (a reverse one-to-one: one LEFT JOIN).
OWNER_RELATED = ("owner", "owner__influencer_profile")

ADJECTIVES = (
    "Bold", "Breezy", "Bright", "Calm", "Cheerful", "Clever", "Cosmic", "Curious", "Dapper", "Eager",
    "Fuzzy", "Gentle", "Giddy", "Golden", "Happy", "Jolly", "Keen", "Lively", "Lucky", "Mellow",
    "Merry", "Nimble", "Plucky", "Quick", "Quiet", "Radiant", "Snappy", "Sunny", "Swift", "Witty",
    "Zesty", "Zippy",
)  # fmt: skip
ANIMALS = (
    "Badger", "Beaver", "Bison", "Crane", "Dolphin", "Falcon", "Ferret", "Finch", "Fox", "Gecko",
    "Heron", "Ibis", "Koala", "Lemur", "Lynx", "Marmot", "Meerkat", "Moose", "Narwhal", "Ocelot",
    "Otter", "Owl", "Panda", "Puffin", "Quokka", "Raven", "Robin", "Seal", "Stoat", "Tapir",
    "Walrus", "Wombat",
)  # fmt: skip


@dataclass(frozen=True)
class PublicAuthor:
    name: str
    initials: str
    colour: str  # CSS background of the initials avatar
    photo_url: str = ""  # the public profile's photo, when there is one


def _digest(user_id: int) -> bytes:
    return hashlib.sha256(f"memes.people:{user_id}".encode()).digest()


def made_up_name(user_id: int) -> str:
    """A friendly name derived from the user's id alone: "Lively Otter 27"."""
    digest = _digest(user_id)
    return (
        f"{ADJECTIVES[digest[0] % len(ADJECTIVES)]} {ANIMALS[digest[1] % len(ANIMALS)]} {10 + digest[2] % 90}"
    )


def avatar_colour(user_id: int) -> str:
    """A colour of its own per user; dark enough for white initials (contrast above 4.5:1)."""
    digest = _digest(user_id)
    return f"hsl({int.from_bytes(digest[3:5], 'big') % 360} 55% 36%)"


def initials(name: str) -> str:
    """Up to two letters: "Ivy Chen" → "IC", "@ivy" → "I", "Lively Otter 27" → "LO"."""
    words = [w for w in name.replace("@", " ").replace("_", " ").replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def _public_profile(user):
    try:
        profile = user.influencer_profile
    except (ObjectDoesNotExist, AttributeError):
        return None
    return profile if getattr(profile, "is_public", False) else None


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", slugify(text))


def _from_email(user, handle: str) -> bool:
    """Whether `handle` spells the email's local part ("ivy.chen" → "ivychen", "ivy-chen",
    "ivychen-2": slugs were once made from it, with a number when taken)."""
    local = _letters((getattr(user, "email", "") or "").split("@", 1)[0])
    return bool(local) and _letters(re.sub(r"-\d+$", "", handle)) == local


def public_author(user) -> PublicAuthor:
    """The name and avatar `user` is shown with on public meme pages (see the module docstring)."""
    if user is None:
        return PublicAuthor("A member", "?", "hsl(220 10% 40%)")
    profile = _public_profile(user)
    handle = getattr(profile, "slug", "") if profile is not None else ""
    if handle and _from_email(user, handle):
        handle = ""  # an address that would show part of the email
    name = (
        (getattr(profile, "display_name", "") if profile is not None else "")
        or (getattr(user, "display_name", "") or "").strip()
        or (f"@{handle}" if handle else "")
        or made_up_name(user.pk)
    )
    photo_url = ""
    if handle and getattr(profile, "photo", None):
        try:
            photo_url = reverse("collaborations:profile_photo", args=[handle])
        except NoReverseMatch:  # the influencer pages are not mounted (a trimmed URLconf)
            photo_url = ""
        else:
            updated = getattr(profile, "updated_at", None)
            photo_url = f"{photo_url}?v={int(updated.timestamp())}" if updated else photo_url
    return PublicAuthor(name[:80], initials(name), avatar_colour(user.pk), photo_url)
