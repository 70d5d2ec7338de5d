"""Read side of the brand's marketplace pages: finding influencers (filters on the audience, reach
per platform and reputation, sorted by reach or reputation), the brand's shortlist, its published
posts to offer and its offers with their applications. A page costs the same few queries whatever
the number of rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce

from apps.brands.models import Brand
from apps.core import vocabulary
from apps.posts.models import Post
from apps.publishing.models import Publication, PublicationStatus

from ..models import Application, Collaboration, InfluencerProfile, Offer, ShortlistEntry

SORTS = {"reach": "Reach", "reputation": "Reputation"}
# Platforms whose follower counts a profile holds; the sandbox publishes the X copy.
COUNTED_PLATFORMS = tuple(p for p in vocabulary.PLATFORMS if p != vocabulary.SANDBOX)


@dataclass(frozen=True)
class InfluencerQuery:
    roles: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    geographies: list[str] = field(default_factory=list)
    platform: str = ""
    min_followers: int = 0
    min_reputation: float | None = None
    sort: str = "reach"
    shortlisted_only: bool = False


def _followers(platform: str):
    """A profile's follower count on one platform as a number, 0 when it has none."""
    return Coalesce(
        Cast(KeyTextTransform("count", KeyTransform(platform, "follower_counts")), BigIntegerField()),
        Value(0),
    )


def _any_tag(field_name: str, tags: list[str]) -> Q:
    """The JSON list holds one of the tags (any case): matched on its text, which works on
    PostgreSQL and SQLite alike."""
    q = Q()
    for tag in tags:
        q |= Q(**{f"{field_name}__icontains": json.dumps(tag, ensure_ascii=False)})
    return q


def influencer_search(*, brand: Brand, query: InfluencerQuery) -> QuerySet[InfluencerProfile]:
    """Public profiles matching every filter (any tag of a list matches), each with `reach` (its
    followers on the chosen platform, else on all) and `shortlisted` for this brand."""
    profiles = InfluencerProfile.objects.filter(is_public=True)
    for field_name, tags in (
        ("audience_roles", query.roles),
        ("audience_industries", query.industries),
        ("audience_geographies", query.geographies),
    ):
        if tags:
            profiles = profiles.filter(_any_tag(field_name, tags))
    if query.platform:
        counted = vocabulary.X if query.platform == vocabulary.SANDBOX else query.platform
        reach = _followers(counted)
    else:
        reach = sum((_followers(p) for p in COUNTED_PLATFORMS[1:]), _followers(COUNTED_PLATFORMS[0]))
    profiles = profiles.annotate(
        reach=reach,
        shortlisted=Exists(ShortlistEntry.objects.filter(brand=brand, influencer=OuterRef("pk"))),
    )
    if query.platform:
        profiles = profiles.filter(reach__gte=max(query.min_followers, 1))
    elif query.min_followers:
        profiles = profiles.filter(reach__gte=query.min_followers)
    if query.min_reputation is not None:
        profiles = profiles.filter(reputation_score__gte=query.min_reputation)
    if query.shortlisted_only:
        profiles = profiles.filter(shortlisted=True)
    if query.sort == "reputation":  # "New" (no score yet) after every scored profile
        profiles = profiles.order_by(F("reputation_score").desc(nulls_last=True), "-reach", "pk")
    else:
        profiles = profiles.order_by("-reach", "pk")
    return profiles.select_related("user")


def offer_influencer_choices(*, brand: Brand, requested: list[int]) -> QuerySet[InfluencerProfile]:
    """Whom the offer form lists: the brand's shortlist and the influencers chosen on the search
    page (public profiles only)."""
    return (
        InfluencerProfile.objects.filter(is_public=True)
        .filter(Q(shortlist_entries__brand=brand) | Q(pk__in=requested))
        .distinct()
        .order_by("display_name", "slug")
    )


def brand_usual_currency(*, brand: Brand, default: str = "EUR") -> str:
    """The currency of the brand's latest offer, else `default`."""
    latest = Offer.objects.filter(brand=brand).order_by("-created_at").values_list("currency", flat=True)
    return latest.first() or default


def offerable_posts(*, brand: Brand, limit: int = 30) -> QuerySet[Post]:
    """The brand's published posts, newest first, each with `live`: its published publications
    carrying their latest metrics, and its copies (four queries)."""
    live = Publication.objects.filter(status=PublicationStatus.PUBLISHED).order_by("published_at")
    ids = (
        Post.objects.filter(brand=brand, publications__status=PublicationStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    return (
        Post.objects.filter(pk__in=list(dict.fromkeys(ids))[:limit])
        .order_by("-published_at", "-pk")
        .prefetch_related(Prefetch("publications", queryset=live, to_attr="live"), "copies")
    )


def offer_list_for_brand_page(*, brand: Brand) -> QuerySet[Offer]:
    """The brand's offers, newest first, with their influencer, post, applications (and each
    applicant) and collaborations: four queries for a page of any length."""
    return (
        Offer.objects.filter(brand=brand)
        .select_related("post", "influencer")
        .prefetch_related(
            Prefetch("applications", queryset=Application.objects.select_related("influencer")),
            Prefetch("collaborations", queryset=Collaboration.objects.select_related("influencer")),
        )
        .order_by("-created_at", "-pk")
    )
