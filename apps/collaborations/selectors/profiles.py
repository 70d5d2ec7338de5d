"""Read side of influencer profiles: public lookup, follower counts, linked accounts, completeness."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime

from allauth.socialaccount.models import SocialAccount
from django.http import Http404
from django.utils.dateparse import parse_datetime
from PIL import Image

from apps.accounts.models import User
from apps.core.vocabulary import NETWORKS, platform_label

from ..models import InfluencerProfile
from ..services.profiles import PLATFORMS

# The networks the product publishes to are named as everywhere else; the rest only influencers use.
PLATFORM_LABELS = {
    **{platform: platform_label(platform) for platform in NETWORKS},
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}
# allauth provider ids → our platform keys. LinkedIn signs in through OpenID Connect, whose
# accounts carry the app's provider_id ("linkedin").
PROVIDER_PLATFORMS = {
    "twitter_oauth2": "x",
    "twitter": "x",
    "linkedin": "linkedin",
    "linkedin_oauth2": "linkedin",
    "instagram": "instagram",
    "tiktok": "tiktok",
}


@dataclass(frozen=True)
class FollowerCount:
    platform: str
    label: str
    count: int | None
    verified: bool
    updated_at: datetime | None

    @property
    def listed(self) -> bool:
        """Shown on the public page: a platform with no followers says nothing to a brand."""
        return bool(self.count)


@dataclass(frozen=True)
class ConnectedAccount:
    provider: str
    platform: str | None
    label: str
    handle: str
    url: str
    followers: int | None


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    hint: str


@dataclass(frozen=True)
class Completeness:
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.items))

    @property
    def is_complete(self) -> bool:
        return self.done_count == len(self.items)


def influencer_profile_get_public(*, slug: str, viewer: User | None = None) -> InfluencerProfile:
    """The profile behind /influencer/@<slug>/: public ones for everyone, a private one for its owner.

    Anyone else gets a 404 for a private profile, exactly as for a slug that does not exist (an old
    handle of a private profile too, so it does not give away the new one). `slug` may be an old
    handle: the returned profile's slug is then another, and the page redirects to it.
    """
    slug = slug.lower()  # handles are stored in lower case: /@Ivy-Chen/ is /@ivy-chen/
    profile = InfluencerProfile.objects.select_related("user").filter(slug=slug).first()
    if profile is None:
        # A handle the profile had before: the caller redirects to the current one.
        profile = InfluencerProfile.objects.select_related("user").filter(past_handles__slug=slug).first()
    if profile is None:
        raise Http404("No such influencer.")
    is_owner = viewer is not None and viewer.is_authenticated and viewer.pk == profile.user_id
    if not profile.is_public and not is_owner:
        raise Http404("No such influencer.")
    return profile


def influencer_follower_counts(*, profile: InfluencerProfile) -> list[FollowerCount]:
    """One entry per platform, in a fixed order, whether a count was given or not."""
    rows = []
    for platform in PLATFORMS:
        entry = profile.follower_counts.get(platform) or {}
        count = entry.get("count")
        updated = entry.get("updated_at")
        rows.append(
            FollowerCount(
                platform=platform,
                label=PLATFORM_LABELS[platform],
                count=int(count) if count is not None else None,
                verified=bool(entry.get("verified")),
                updated_at=parse_datetime(updated) if isinstance(updated, str) else None,
            )
        )
    return rows


def _handle(account: SocialAccount) -> str:
    data = account.extra_data or {}
    # OpenID Connect keeps the userinfo and ID token claims apart.
    claims = data.get("userinfo") or data.get("id_token") or data
    username = data.get("username") or claims.get("preferred_username")
    if username:
        return f"@{username}"
    return claims.get("name") or claims.get("email") or account.uid


def _profile_url(platform: str | None, account: SocialAccount) -> str:
    username = (account.extra_data or {}).get("username")
    if platform == "x" and username:
        return f"https://x.com/{username}"
    return ""


def _followers(account: SocialAccount) -> int | None:
    """The follower count the provider reported when the account was linked (X gives it)."""
    metrics = (account.extra_data or {}).get("public_metrics") or {}
    count = metrics.get("followers_count")
    return int(count) if isinstance(count, int) and count >= 0 else None


def influencer_connected_accounts(*, user: User) -> list[ConnectedAccount]:
    """The user's linked social accounts (allauth), one query."""
    accounts = []
    for account in SocialAccount.objects.filter(user=user).order_by("provider", "pk"):
        platform = PROVIDER_PLATFORMS.get(account.provider)
        accounts.append(
            ConnectedAccount(
                provider=account.provider,
                platform=platform,
                label=PLATFORM_LABELS.get(platform, account.provider.replace("_", " ").title()),
                handle=_handle(account),
                url=_profile_url(platform, account),
                followers=_followers(account),
            )
        )
    return accounts


def influencer_linked_follower_counts(*, accounts: list[ConnectedAccount]) -> dict[str, int]:
    """Follower counts a linked account vouches for, by platform (the largest if several)."""
    counts: dict[str, int] = {}
    for account in accounts:
        if account.platform in PLATFORMS and account.followers is not None:
            counts[account.platform] = max(counts.get(account.platform, 0), account.followers)
    return counts


def influencer_profile_completeness(
    *, profile: InfluencerProfile, accounts: list[ConnectedAccount]
) -> Completeness:
    has_audience = bool(profile.audience_roles or profile.audience_industries or profile.audience_geographies)
    return Completeness(
        items=[
            ChecklistItem(
                "photo", "Profile photo", bool(profile.photo), "A clear photo of you or your logo."
            ),
            ChecklistItem("bio", "Bio", bool(profile.bio.strip()), "A few lines on what you post about."),
            ChecklistItem(
                "audience", "Audience", has_audience, "Who follows you: roles, industries, places."
            ),
            ChecklistItem(
                "followers",
                "Follower counts",
                any(row.count for row in influencer_follower_counts(profile=profile)),
                "Your reach on at least one platform.",
            ),
            ChecklistItem(
                "accounts",
                "Connected account",
                bool(accounts),
                "Link X or LinkedIn so brands see your counts are real.",
            ),
        ]
    )


def initials(name: str) -> str:
    """Up to two letters for an avatar without a photo: "Ivy Chen" → "IC"."""
    words = [w for w in name.replace(".", " ").replace("_", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def photo_preview_data_url(content, *, size: int = 256) -> str:
    """A small inline preview of a photo that is chosen but not saved yet (it has no address)."""
    content.seek(0)
    with Image.open(content) as image:
        image.thumbnail((size, size))
        out = io.BytesIO()
        image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, format="PNG")
    content.seek(0)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
