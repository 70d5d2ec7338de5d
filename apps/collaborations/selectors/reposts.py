"""Read side of reposts: what a repost must point at and tag (the brand's post on the offer's
platform and the brand's handle there), and what the collaboration page's Repost card shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.brands.models import SocialConnection
from apps.publishing.models import Publication, PublicationStatus

from ..models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccount,
    InfluencerAccountStatus,
    Repost,
    RepostStatus,
)


@dataclass(frozen=True)
class RepostTarget:
    """The brand's side of a repost on one platform."""

    platform: str
    external_id: str  # the brand post's id there ("" when it was not published there)
    url: str  # its address there
    handle: str  # the brand's handle there, without "@" ("" when the brand has no account there)
    names: frozenset[str] = field(default_factory=frozenset)  # every way a mention may name the brand

    @property
    def tag(self) -> str:
        return f"@{self.handle}" if self.handle else ""


def repost_target(*, collaboration: Collaboration) -> RepostTarget:
    """The brand's post on the collaboration's platform (its Publication) and the brand's handle
    there (its SocialConnection). Two queries."""
    platform = collaboration.platform
    publication = (
        Publication.objects.filter(
            post_id=collaboration.offer.post_id, platform=platform, status=PublicationStatus.PUBLISHED
        )
        .exclude(external_id="")
        .order_by("-published_at")
        .first()
    )
    connection = (
        SocialConnection.objects.select_related("social_account")
        .filter(brand_id=collaboration.brand_id, platform=platform)
        .order_by("pk")
        .first()
    )
    handle, names = "", set()
    if connection is not None:
        handle = connection.handle.strip().lstrip("@")
        if platform == "linkedin" and connection.display_name.strip():
            # LinkedIn mentions read as the name (its "handle" here is the sign-in email or name).
            handle = connection.display_name.strip()
        names = {
            handle.lower(),
            connection.handle.strip().lstrip("@").lower(),
            connection.display_name.strip().lower(),
        }
        if connection.social_account_id:
            uid = str(connection.social_account.uid).lower()
            names |= {uid, f"urn:li:person:{uid}", f"urn:li:organization:{uid}"}
    return RepostTarget(
        platform=platform,
        external_id=publication.external_id if publication else "",
        url=publication.external_url if publication else "",
        handle=handle,
        names=frozenset(n for n in names if n),
    )


def repost_prefill(*, collaboration: Collaboration, target: RepostTarget) -> str:
    """The words a pipeline repost starts with: what the offer asks the repost to carry."""
    offer = collaboration.offer
    parts = []
    if offer.tag_brand and target.tag:
        parts.append(target.tag)
    if offer.keep_link and target.url:
        parts.append(target.url)
    return " ".join(parts)


def repost_accounts(*, collaboration: Collaboration) -> list[InfluencerAccount]:
    """The influencer's connected accounts a repost for this collaboration can go out from (the
    offer's platform)."""
    return list(
        InfluencerAccount.objects.filter(
            profile_id=collaboration.influencer_id,
            platform=collaboration.platform,
            status=InfluencerAccountStatus.CONNECTED,
        )
    )


def repost_for(*, collaboration: Collaboration) -> Repost | None:
    return Repost.objects.select_related("account").filter(collaboration=collaboration).first()


def repost_can_submit(*, collaboration: Collaboration, repost: Repost | None) -> bool:
    """The influencer may (re)post: accepted and nothing under way, or the last try failed."""
    if collaboration.status == CollaborationStatus.ACCEPTED:
        return repost is None or repost.status == RepostStatus.FAILED
    if collaboration.status == CollaborationStatus.REPOSTED:
        return repost is not None and repost.status == RepostStatus.FAILED
    return False


REPOST_IN_PROGRESS = (RepostStatus.QUEUED, RepostStatus.SENDING, RepostStatus.VERIFYING)
