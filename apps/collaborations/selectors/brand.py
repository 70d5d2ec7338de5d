"""Read side of the brand's marketplace pages: finding influencers (filters on the audience, reach
per platform, verified counts, engagement rate, reputation and usual fee; sorted by fit, reach or
reputation) with what their cards show, the brand's shortlist, its published
posts to offer and its offers with their applications. A page costs the same few queries whatever
the number of rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce, RowNumber

from apps.brands.models import Brand
from apps.core import vocabulary
from apps.posts.models import Post
from apps.publishing.models import Publication, PublicationStatus

from ..models import (
    Application,
    Collaboration,
    CollaborationResult,
    InfluencerFit,
    InfluencerProfile,
    Offer,
    ReputationEvent,
    ShortlistEntry,
)

SORTS = {"fit": "Fit with your brand", "reach": "Reach", "reputation": "Reputation"}
# Platforms whose follower counts a profile holds; the sandbox publishes the X copy.
COUNTED_PLATFORMS = tuple(p for p in vocabulary.PLATFORMS if p != vocabulary.SANDBOX)
REPUTATION_HISTORY = 8  # scores on a card's sparkline


@dataclass(frozen=True)
class InfluencerQuery:
    roles: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    geographies: list[str] = field(default_factory=list)
    platform: str = ""
    min_followers: int = 0
    verified_only: bool = False
    min_engagement: float | None = None  # a fraction: 0.02 is 2%
    min_reputation: float | None = None
    # The usual fee (InfluencerProfile.rate_minor) in `fee_currency`'s minor units; a profile
    # quoting another currency, or none, is left out once either bound is set.
    min_fee_minor: int | None = None
    max_fee_minor: int | None = None
    fee_currency: str = ""
    sort: str = ""  # "" = fit when the brand has fit scores, else reach
    shortlisted_only: bool = False


def _followers(platform: str):
    """A profile's follower count on one platform as a number, 0 when it has none."""
    return Coalesce(
        Cast(KeyTextTransform("count", KeyTransform(platform, "follower_counts")), BigIntegerField()),
        Value(0),
    )


def _verified_on(platform: str) -> Q:
    return Q(**{f"follower_counts__{platform}__verified": True})


def _any_tag(field_name: str, tags: list[str]) -> Q:
    """The JSON list holds one of the tags (any case): matched on its text, which works on
    PostgreSQL and SQLite alike."""
    q = Q()
    for tag in tags:
        q |= Q(**{f"{field_name}__icontains": json.dumps(tag, ensure_ascii=False)})
    return q


def brand_has_fits(*, brand: Brand) -> bool:
    return InfluencerFit.objects.filter(brand=brand).exists()


def _matching(*, brand: Brand, query: InfluencerQuery) -> QuerySet[InfluencerProfile]:
    """Public profiles matching every filter (any tag of a list matches), with `reach`: followers
    on the chosen platform, else on all (the indexed column)."""
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
        profiles = profiles.annotate(reach=_followers(counted)).filter(reach__gte=max(query.min_followers, 1))
        if query.verified_only:
            profiles = profiles.filter(_verified_on(counted))
    else:
        profiles = profiles.annotate(reach=F("followers_total"))
        if query.min_followers:
            profiles = profiles.filter(followers_total__gte=query.min_followers)
        if query.verified_only:
            profiles = profiles.filter(verified=True)
    if query.min_engagement is not None:
        profiles = profiles.filter(engagement_rate__gte=query.min_engagement)
    if query.min_reputation is not None:
        profiles = profiles.filter(reputation_score__gte=query.min_reputation)
    if query.min_fee_minor is not None or query.max_fee_minor is not None:
        # Fees in another currency are not converted: they are not compared at all.
        profiles = profiles.filter(rate_currency=query.fee_currency, rate_minor__isnull=False)
        if query.min_fee_minor is not None:
            profiles = profiles.filter(rate_minor__gte=query.min_fee_minor)
        if query.max_fee_minor is not None:
            profiles = profiles.filter(rate_minor__lte=query.max_fee_minor)
    if query.shortlisted_only:
        profiles = profiles.filter(
            Exists(ShortlistEntry.objects.filter(brand=brand, influencer=OuterRef("pk")))
        )
    return profiles


def _effective_sort(*, brand: Brand, query: InfluencerQuery, has_fits: bool | None) -> str:
    if query.sort in SORTS:
        return query.sort
    return "fit" if (has_fits if has_fits is not None else brand_has_fits(brand=brand)) else "reach"


# The search's order as SQL over the columns of its ids query (see InfluencerResults._page_ids).
ORDER_SQL = {
    "fit": "fit DESC NULLS LAST, reach DESC, pk ASC",
    "reputation": "reputation_score DESC NULLS LAST, reach DESC, pk ASC",
    "reach": "reach DESC, pk ASC",
}


def influencer_search(
    *, brand: Brand, query: InfluencerQuery, has_fits: bool | None = None
) -> QuerySet[InfluencerProfile]:
    """Public profiles matching every filter (any tag of a list matches), each with `reach` (its
    followers on the chosen platform, else on all), `fit` (the brand's fit score, None before the
    worker computed it) and `shortlisted` for this brand. Sorted by `query.sort`; by default by fit
    when the brand has fit scores (`has_fits`, looked up when not given), else by reach."""
    profiles = _matching(brand=brand, query=query).annotate(
        fit_row=FilteredRelation("fits", condition=Q(fits__brand=brand)),
        fit=F("fit_row__score"),
        shortlisted=Exists(ShortlistEntry.objects.filter(brand=brand, influencer=OuterRef("pk"))),
    )
    sort = _effective_sort(brand=brand, query=query, has_fits=has_fits)
    if sort == "fit":  # profiles the worker has not scored yet come last, by reach
        profiles = profiles.order_by(F("fit").desc(nulls_last=True), "-reach", "pk")
    elif sort == "reputation":  # "New" (no score yet) after every scored profile
        profiles = profiles.order_by(F("reputation_score").desc(nulls_last=True), "-reach", "pk")
    else:
        profiles = profiles.order_by("-reach", "pk")
    return profiles


class InfluencerResults:
    """`influencer_search` for a paginator, in two queries for a page: the page's ids in order with
    the number of all results beside them (one scan of the filters: `COUNT(*) OVER ()`, index-only
    on PostgreSQL through migration 0007), then those profiles whole. Reading whole rows (each
    carries its 1.5 kB embedding) only for the page keeps a search of 100,000 profiles fast.

    `page` and `per_page` say which slice the paginator will ask for, so the count comes with it;
    a page past the end costs a plain count, as the paginator then asks for the last page."""

    def __init__(
        self,
        *,
        brand: Brand,
        query: InfluencerQuery,
        has_fits: bool | None = None,
        page: int | str | None = 1,
        per_page: int = 24,
    ):
        self.brand, self.query = brand, query
        self.has_fits = brand_has_fits(brand=brand) if has_fits is None else has_fits
        number = int(page) if str(page or "").isdigit() and int(page) > 0 else 1
        self._hint = ((number - 1) * per_page, number * per_page)
        self._ids: dict[tuple[int, int], list[int]] = {}
        self._count: int | None = None

    def _search(self) -> QuerySet[InfluencerProfile]:
        return influencer_search(brand=self.brand, query=self.query, has_fits=self.has_fits)

    def _page_ids(self, start: int, stop: int) -> list[int]:
        for (cached_start, cached_stop), ids in self._ids.items():
            # the paginator trims the last page to the count: the hinted slice already holds it
            if cached_start == start and (stop <= cached_stop or len(ids) < cached_stop - cached_start):
                return ids[: stop - start]
        if (start, stop) not in self._ids:
            rows = self._ids_with_total(start, stop)
            self._ids[start, stop] = [pk for pk, _ in rows]
            if rows:
                self._count = rows[0][1]
            elif start == 0:
                self._count = 0
        return self._ids[start, stop]

    def _ids_with_total(self, start: int, stop: int) -> list[tuple[int, int]]:
        """The slice's ids in the search's order, each with the number of all results. The count
        is a window over the unsorted matches, and the order is applied outside it: so the sort
        keeps only the page's rows (top-N) instead of sorting every match for the window."""
        sort = _effective_sort(brand=self.brand, query=self.query, has_fits=self.has_fits)
        matches = (
            self._search()
            .order_by()
            .annotate(total=Window(Count("pk")))
            .values_list("pk", "fit", "reach", "reputation_score", "total")
        )
        sql, params = matches.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pk, total FROM ({sql}) AS matches ORDER BY {ORDER_SQL[sort]} "  # noqa: S608 (our SQL)
                "LIMIT %s OFFSET %s",
                [*params, max(stop - start, 0), start],
            )
            return cursor.fetchall()

    def count(self) -> int:
        if self._count is None:
            self._page_ids(*self._hint)
        if self._count is None:  # the hinted page is past the end
            self._count = _matching(brand=self.brand, query=self.query).count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("InfluencerResults are read a page (a slice) at a time.")
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        ids = self._page_ids(start, stop)
        if not ids:
            return []
        rows = {p.pk: p for p in self._search().order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


@dataclass(frozen=True)
class InfluencerCard:
    profile: InfluencerProfile
    reputation_history: list[float]  # oldest first, the last REPUTATION_HISTORY scores
    delivered_reach: int  # repost reach over the influencer's past collaborations


def influencer_cards(profiles: list[InfluencerProfile]) -> list[InfluencerCard]:
    """What a page of search results shows beyond the profile: each one's recent reputation scores
    and delivered reach. Two queries for the page, whatever its length."""
    ids = [p.pk for p in profiles]
    if not ids:
        return []
    ranked = (
        ReputationEvent.objects.filter(profile_id__in=ids)
        .annotate(
            recent=Window(
                RowNumber(), partition_by=[F("profile_id")], order_by=[F("created_at").desc(), F("pk").desc()]
            )
        )
        .filter(recent__lte=REPUTATION_HISTORY)
        .order_by("profile_id", "created_at", "pk")
        .values_list("profile_id", "score")
    )
    history: dict[int, list[float]] = {}
    for profile_id, score in ranked:
        history.setdefault(profile_id, []).append(float(score))
    reach = dict(
        CollaborationResult.objects.filter(collaboration__influencer_id__in=ids)
        .values("collaboration__influencer_id")
        .annotate(total=Sum("repost_reach"))
        .values_list("collaboration__influencer_id", "total")
    )
    return [
        InfluencerCard(
            profile=p, reputation_history=history.get(p.pk, []), delivered_reach=int(reach.get(p.pk) or 0)
        )
        for p in profiles
    ]


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
