"""Analytics reads: a brand's numbers over a period (totals, over time, best topics, best hours,
per platform, a posting-frequency suggestion, the CSV rows) and the platform's numbers for staff.

Every figure is aggregated in SQL, so a page's query count does not grow with its posts. Real
(X, LinkedIn) and sandbox numbers are never added together: a brand's page shows one or the
other ("data"), and where both appear (the per-platform comparison, staff totals) they are
separate, labelled rows.

Averages are means over posts: the average engagement rate is the mean of each post's rate (the
number the scheduler's best times use too), the average reward the mean of each post's reward;
posts whose metrics were not fetched yet have neither and are left out of both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.brands.models import Brand
from apps.core import vocabulary, zones
from apps.posts.models import GenerationState, Post
from apps.publishing import timing
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.selectors import best_time_history
from apps.trends.categories import TrendCategory
from apps.trends.models import Trend

PERIOD_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
WEEKLY_FROM_DAYS = 90  # periods this long are charted by week, shorter ones by day
REAL = "real"
SANDBOX = vocabulary.SANDBOX  # the sandbox's simulated numbers are a dataset of their own
DATASETS = {REAL: vocabulary.NETWORKS, SANDBOX: (vocabulary.SANDBOX,)}
TOPICS_SHOWN = 8
TRENDS_SHOWN = 10

# Suggested posting frequency (brand_posting_frequency): the mean engagement rate of the posts of
# the last FREQUENCY_WINDOW against the one before; a change of at least FREQUENCY_THRESHOLD
# either way is a trend. Rising engagement per post means the audience wants more: one more post
# a week. Falling means fatigue is likely: one fewer. Each window needs FREQUENCY_MIN_POSTS posts
# with metrics before we read anything into it.
FREQUENCY_WINDOW = timedelta(days=14)
FREQUENCY_THRESHOLD = 0.10
FREQUENCY_MIN_POSTS = 2
FREQUENCY_MAX_PER_WEEK = 14

ENGAGEMENTS = F("likes") + F("comments") + F("shares") + F("quotes") + F("bookmarks")
PUBLISHED = PublicationStatus.PUBLISHED


# --- the period and the data shown ---------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The period (the last `days` days up to `end`) and which publications: real or sandbox."""

    days: int
    data: str
    start: datetime
    end: datetime

    @property
    def platforms(self) -> tuple[str, ...]:
        return DATASETS[self.data]

    @property
    def is_sandbox(self) -> bool:
        return self.data == SANDBOX

    @property
    def bucket(self) -> str:
        return "week" if self.days >= WEEKLY_FROM_DAYS else "day"


def analytics_window(*, days: str | int | None, data: str | None, now: datetime | None = None) -> Window:
    """The window a request asks for; anything unknown falls back to 30 days of real posts."""
    try:
        days = int(days) if days is not None else DEFAULT_DAYS
    except (TypeError, ValueError):
        days = DEFAULT_DAYS
    if days not in PERIOD_DAYS:
        days = DEFAULT_DAYS
    data = data if data in DATASETS else REAL
    end = now or timezone.now()
    return Window(days=days, data=data, start=end - timedelta(days=days), end=end)


def brand_default_dataset(*, brand: Brand) -> str:
    """Real when the brand has published to X or LinkedIn, else the sandbox (all it has)."""
    has_real = Publication.objects.filter(brand=brand, status=PUBLISHED, platform__in=DATASETS[REAL]).exists()
    return REAL if has_real else SANDBOX


def brand_publications(*, brand: Brand, window: Window) -> QuerySet[Publication]:
    """The brand's publications that went out in the window, real or sandbox as the window says."""
    return Publication.objects.filter(
        brand=brand,
        status=PUBLISHED,
        platform__in=window.platforms,
        published_at__gte=window.start,
        published_at__lte=window.end,
    )


# --- totals ------------------------------------------------------------------------------------------


@dataclass
class Totals:
    posts: int  # publications: a post on X and on LinkedIn counts once per platform
    measured: int  # with metrics fetched
    impressions: int
    engagements: int  # likes + comments + shares + quotes + bookmarks
    engagement_rate: float | None  # mean of the posts' rates
    reward: float | None  # mean of the posts' rewards
    final: int  # posts whose reward is final


def brand_totals(*, brand: Brand, window: Window) -> Totals:
    row = brand_publications(brand=brand, window=window).aggregate(
        posts=Count("id"),
        measured=Count("id", filter=Q(engagement_rate__isnull=False)),
        impressions=Sum("impressions"),
        engagements=Sum(ENGAGEMENTS),
        engagement_rate=Avg("engagement_rate"),
        reward=Avg("reward"),
        final=Count("id", filter=Q(reward_final=True)),
    )
    return Totals(
        posts=row["posts"],
        measured=row["measured"],
        impressions=row["impressions"] or 0,
        engagements=row["engagements"] or 0,
        engagement_rate=row["engagement_rate"],
        reward=row["reward"],
        final=row["final"],
    )


# --- over time -----------------------------------------------------------------------------------------


@dataclass
class TimePoint:
    start: date  # the day, or the Monday of the week, brand-local
    posts: int
    engagement_rate: float | None
    reward: float | None


def _bucket_starts(window: Window, zone: ZoneInfo) -> list[date]:
    first, last = window.start.astimezone(zone).date(), window.end.astimezone(zone).date()
    step = timedelta(days=1)
    if window.bucket == "week":
        first, step = first - timedelta(days=first.weekday()), timedelta(days=7)
    starts = []
    while first <= last:
        starts.append(first)
        first += step
    return starts


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def brand_over_time(*, brand: Brand, window: Window) -> list[TimePoint]:
    """Posts, mean engagement rate and mean reward per brand-local day (per week over 90 days);
    every day or week of the window is there, those without posts with None averages."""
    zone = zones.zone(brand.timezone)
    trunc = TruncWeek if window.bucket == "week" else TruncDate
    rows = (
        brand_publications(brand=brand, window=window)
        .annotate(bucket=trunc("published_at", tzinfo=zone))
        .values("bucket")
        .annotate(posts=Count("id"), engagement_rate=Avg("engagement_rate"), reward=Avg("reward"))
        .order_by("bucket")
    )
    found = {_as_date(row["bucket"]): row for row in rows}
    points = []
    for start in _bucket_starts(window, zone):
        row = found.get(start, {})
        points.append(
            TimePoint(
                start=start,
                posts=row.get("posts", 0),
                engagement_rate=row.get("engagement_rate"),
                reward=row.get("reward"),
            )
        )
    return points


# --- best topics ---------------------------------------------------------------------------------------


@dataclass
class Topic:
    label: str
    category: str  # the trend category's label ("" for posts without a trend)
    posts: int
    engagement_rate: float | None
    reward: float | None
    trend_id: int | None = None


def _category_label(slug: str | None) -> str:
    if not slug:
        return ""
    return dict(TrendCategory.choices).get(slug, slug)


NO_TREND = "Your own topics (no trend)"


def brand_best_categories(*, brand: Brand, window: Window) -> list[Topic]:
    """Trend categories by mean reward (posts without a trend together), best first."""
    rows = (
        brand_publications(brand=brand, window=window)
        .values("post__trend__category")
        .annotate(posts=Count("id"), engagement_rate=Avg("engagement_rate"), reward=Avg("reward"))
        .order_by(F("reward").desc(nulls_last=True), "-posts", "post__trend__category")
    )
    return [
        Topic(
            label=_category_label(row["post__trend__category"]) or NO_TREND,
            category=_category_label(row["post__trend__category"]),
            posts=row["posts"],
            engagement_rate=row["engagement_rate"],
            reward=row["reward"],
        )
        for row in rows
    ]


def brand_best_trends(*, brand: Brand, window: Window, limit: int = TOPICS_SHOWN) -> list[Topic]:
    """The trends the brand posted about, by mean reward then posts, best first."""
    rows = (
        brand_publications(brand=brand, window=window)
        .filter(post__trend__isnull=False)
        .values("post__trend_id", "post__trend__title", "post__trend__category")
        .annotate(posts=Count("id"), engagement_rate=Avg("engagement_rate"), reward=Avg("reward"))
        .order_by(F("reward").desc(nulls_last=True), "-posts", "post__trend_id")[:limit]
    )
    return [
        Topic(
            label=row["post__trend__title"],
            category=_category_label(row["post__trend__category"]),
            posts=row["posts"],
            engagement_rate=row["engagement_rate"],
            reward=row["reward"],
            trend_id=row["post__trend_id"],
        )
        for row in rows
    ]


# --- best hours --------------------------------------------------------------------------------------


@dataclass
class HeatCell:
    weekday: int
    hour: int
    posts: int = 0
    mean: float | None = None  # the slot's own mean engagement rate
    score: float | None = None  # shrunk toward the brand's mean, as the scheduler scores it
    level: float = 0.0  # 0 … 1 across this heatmap's scores, for the colour
    suggested: bool = False  # one of the scheduler's best-time suggestions

    @property
    def label(self) -> str:
        return f"{timing.WEEKDAY_NAMES[self.weekday]} {self.hour:02d}:00"


@dataclass
class Heatmap:
    platform: str
    posts: int  # posts with an engagement rate behind it
    rows: list[list[HeatCell]]  # 7 weekdays (Monday first) × 24 hours, brand-local
    suggestions: list[timing.BestTime]
    from_history: bool  # False: too few posts, the scheduler suggests the platform's defaults

    @property
    def label(self) -> str:
        return vocabulary.platform_label(self.platform)

    @property
    def weekday_names(self) -> tuple[str, ...]:
        return timing.WEEKDAY_NAMES


def brand_best_hours(*, brand: Brand, platform: str) -> Heatmap:
    """The hour × weekday heatmap of the brand's posts on `platform`, scored exactly as the
    scheduler's best-time suggestions are: the same history (apps.publishing.selectors
    .best_time_history) through the same function (apps.publishing.timing.best_times, with its
    shrinkage toward the brand's mean). The cells the scheduler suggests are marked. One query."""
    history = best_time_history(brand=brand, platform=platform)
    zone = zones.zone(brand.timezone)
    rows = [[HeatCell(weekday=d, hour=h) for h in range(24)] for d in range(7)]
    sums: dict[tuple[int, int], float] = defaultdict(float)
    for published_at, rate in history:
        local = published_at.astimezone(zone)
        cell = rows[local.weekday()][local.hour]
        cell.posts += 1
        sums[(cell.weekday, cell.hour)] += float(rate)
    scored = timing.best_times(
        platform=platform, history=history, tz_name=zone.key, count=7 * 24, min_posts=1
    )
    scores = [best for best in scored if best.source == "history"]
    low = min((b.score for b in scores), default=0.0)
    high = max((b.score for b in scores), default=0.0)
    for best in scores:
        cell = rows[best.weekday][best.hour]
        cell.score = best.score
        cell.mean = sums[(best.weekday, best.hour)] / cell.posts
        cell.level = (best.score - low) / (high - low) if high > low else 1.0
    suggestions = timing.best_times(platform=platform, history=history, tz_name=zone.key)
    for best in suggestions:
        rows[best.weekday][best.hour].suggested = True
    return Heatmap(
        platform=platform,
        posts=len(history),
        rows=rows,
        suggestions=suggestions,
        from_history=any(best.source == "history" for best in suggestions),
    )


# --- per platform ------------------------------------------------------------------------------------


@dataclass
class PlatformRow:
    platform: str
    posts: int
    impressions: int
    engagement_rate: float | None
    reward: float | None

    @property
    def label(self) -> str:
        return vocabulary.platform_label(self.platform)

    @property
    def is_sandbox(self) -> bool:
        return self.platform == SANDBOX


def brand_platforms(*, brand: Brand, window: Window) -> list[PlatformRow]:
    """X, LinkedIn and the sandbox side by side over the window (each its own row, never summed)."""
    rows = (
        Publication.objects.filter(
            brand=brand, status=PUBLISHED, published_at__gte=window.start, published_at__lte=window.end
        )
        .values("platform")
        .annotate(
            posts=Count("id"),
            impressions=Sum("impressions"),
            engagement_rate=Avg("engagement_rate"),
            reward=Avg("reward"),
        )
    )
    found = {row["platform"]: row for row in rows}
    return [
        PlatformRow(
            platform=platform,
            posts=found.get(platform, {}).get("posts", 0),
            impressions=found.get(platform, {}).get("impressions") or 0,
            engagement_rate=found.get(platform, {}).get("engagement_rate"),
            reward=found.get(platform, {}).get("reward"),
        )
        for platform in vocabulary.PLATFORMS
    ]


# --- suggested posting frequency ----------------------------------------------------------------------


@dataclass
class FrequencyAdvice:
    sentence: str
    trend: str  # rising, falling, steady or unknown
    per_week: float  # posts a week over the last two weeks
    suggested: int | None  # posts a week to try
    recent_rate: float | None
    previous_rate: float | None
    change: float | None  # recent / previous − 1

    @property
    def change_pct(self) -> str:
        return "" if self.change is None else f"{self.change * 100:+.0f} %"


def _times_a_week(per_week: float) -> str:
    return f"{max(1, round(per_week))}×/week" if per_week else "0×/week"


def brand_posting_frequency(*, brand: Brand, data: str, now: datetime | None = None) -> FrequencyAdvice:
    """A posting frequency to try, from the engagement trend (the rule is at FREQUENCY_WINDOW)."""
    now = now or timezone.now()
    middle, first = now - FREQUENCY_WINDOW, now - 2 * FREQUENCY_WINDOW
    recent, previous = Q(published_at__gt=middle), Q(published_at__gt=first, published_at__lte=middle)
    measured = Q(engagement_rate__isnull=False)
    row = Publication.objects.filter(
        brand=brand,
        status=PUBLISHED,
        platform__in=DATASETS[data],
        published_at__gt=first,
        published_at__lte=now,
    ).aggregate(
        recent_posts=Count("id", filter=recent),
        recent_measured=Count("id", filter=recent & measured),
        previous_measured=Count("id", filter=previous & measured),
        recent_rate=Avg("engagement_rate", filter=recent),
        previous_rate=Avg("engagement_rate", filter=previous),
    )
    per_week = row["recent_posts"] / (FREQUENCY_WINDOW.days / 7)
    now_text = _times_a_week(per_week)
    recent_rate, previous_rate = row["recent_rate"], row["previous_rate"]
    if row["recent_measured"] < FREQUENCY_MIN_POSTS or row["previous_measured"] < FREQUENCY_MIN_POSTS:
        return FrequencyAdvice(
            sentence=(
                f"Not enough posts yet to read a trend: we compare the last two weeks with the two "
                f"before, and need at least {FREQUENCY_MIN_POSTS} posts with metrics in each. "
                f"Keep to your plan of {brand.posts_per_week}×/week for now."
            ),
            trend="unknown",
            per_week=per_week,
            suggested=brand.posts_per_week,
            recent_rate=recent_rate,
            previous_rate=previous_rate,
            change=None,
        )
    current = max(1, round(per_week))
    change = (recent_rate / previous_rate - 1) if previous_rate else (1.0 if recent_rate else 0.0)
    pct = f"{abs(change) * 100:.0f} %"
    if change >= FREQUENCY_THRESHOLD:
        suggested = min(FREQUENCY_MAX_PER_WEEK, current + 1)
        trend = "rising"
        if suggested > current:
            sentence = (
                f"Engagement per post is rising {pct} while you post {now_text}: try {suggested}×/week."
            )
        else:
            sentence = f"Engagement per post is rising {pct} at {now_text}: keep {current}×/week."
    elif change <= -FREQUENCY_THRESHOLD:
        suggested = max(1, current - 1)
        trend = "falling"
        if suggested < current:
            sentence = (
                f"Engagement per post is falling {pct} while you post {now_text}: "
                f"try {suggested}×/week — fewer, stronger posts."
            )
        else:
            sentence = (
                f"Engagement per post is falling {pct} at {now_text}: keep 1×/week and try other "
                "topics or times."
            )
    else:
        suggested = current
        trend = "steady"
        sentence = (
            f"Engagement per post is steady ({change * 100:+.0f} %) at {now_text}: keep {current}×/week."
        )
    return FrequencyAdvice(
        sentence=sentence,
        trend=trend,
        per_week=per_week,
        suggested=suggested,
        recent_rate=recent_rate,
        previous_rate=previous_rate,
        change=change,
    )


# --- the whole brand page -------------------------------------------------------------------------------


@dataclass
class BrandReport:
    brand: Brand
    window: Window
    totals: Totals
    over_time: list[TimePoint]
    categories: list[Topic]
    trends: list[Topic]
    heatmaps: list[Heatmap]
    platforms: list[PlatformRow]
    frequency: FrequencyAdvice
    zone: str = "UTC"
    extra: dict = field(default_factory=dict)


def brand_analytics_report(*, brand: Brand, window: Window) -> BrandReport:
    """Everything the brand's analytics page shows. About ten queries, whatever the posts."""
    return BrandReport(
        brand=brand,
        window=window,
        totals=brand_totals(brand=brand, window=window),
        over_time=brand_over_time(brand=brand, window=window),
        categories=brand_best_categories(brand=brand, window=window),
        trends=brand_best_trends(brand=brand, window=window),
        heatmaps=[brand_best_hours(brand=brand, platform=platform) for platform in window.platforms],
        platforms=brand_platforms(brand=brand, window=window),
        frequency=brand_posting_frequency(brand=brand, data=window.data, now=window.end),
        zone=brand.timezone or "UTC",
    )


# --- CSV export -----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "published_at",
    "platform",
    "post_id",
    "format",
    "tone",
    "trend_category",
    "trend",
    "likes",
    "comments",
    "shares",
    "quotes",
    "bookmarks",
    "impressions",
    "estimated",
    "engagement_rate",
    "reward",
    "reward_final",
    "url",
)


def brand_export_rows(*, brand: Brand, window: Window):
    """One row per publication of the window (CSV_COLUMNS), oldest first, streamed from one query;
    times are the brand's local time with its UTC offset."""
    zone = zones.zone(brand.timezone)
    publications = (
        brand_publications(brand=brand, window=window)
        .select_related("post", "post__trend")
        .order_by("published_at", "pk")
    )
    for p in publications.iterator(chunk_size=500):
        trend = p.post.trend
        yield (
            p.published_at.astimezone(zone).isoformat(timespec="minutes"),
            vocabulary.platform_label(p.platform),
            p.post_id,
            p.post.post_format,
            p.post.tone,
            _category_label(trend.category) if trend else "",
            trend.title if trend else "",
            p.likes,
            p.comments,
            p.shares,
            p.quotes,
            p.bookmarks,
            p.impressions,
            ";".join(p.metrics_estimated or []),
            "" if p.engagement_rate is None else f"{p.engagement_rate:.6f}",
            "" if p.reward is None else f"{p.reward:.4f}",
            "yes" if p.reward_final else "no",
            p.external_url,
        )


# --- the platform, for staff ----------------------------------------------------------------------------


@dataclass
class PlatformTotals:
    brands: int
    influencers: int
    posts_generated: int  # posts whose copy and graphics were made
    posts_generated_in_window: int
    published_real: int
    published_sandbox: int
    published_real_in_window: int
    published_sandbox_in_window: int
    rate_real: float | None  # mean engagement rate in the window
    rate_sandbox: float | None
    reward_real: float | None
    reward_sandbox: float | None


def platform_totals(*, window: Window) -> PlatformTotals:
    """Counts over all time and in the window; averages in the window, real and sandbox apart."""
    in_window = Q(published_at__gte=window.start, published_at__lte=window.end)
    real, sandbox = ~Q(platform=SANDBOX), Q(platform=SANDBOX)
    posts = Post.objects.filter(generation_state=GenerationState.READY).aggregate(
        total=Count("id"), in_window=Count("id", filter=Q(created_at__gte=window.start))
    )
    pubs = Publication.objects.filter(status=PUBLISHED).aggregate(
        real=Count("id", filter=real),
        sandbox=Count("id", filter=sandbox),
        real_in_window=Count("id", filter=real & in_window),
        sandbox_in_window=Count("id", filter=sandbox & in_window),
        rate_real=Avg("engagement_rate", filter=real & in_window),
        rate_sandbox=Avg("engagement_rate", filter=sandbox & in_window),
        reward_real=Avg("reward", filter=real & in_window),
        reward_sandbox=Avg("reward", filter=sandbox & in_window),
    )
    return PlatformTotals(
        brands=Brand.objects.count(),
        influencers=User.objects.filter(role=Role.INFLUENCER, is_active=True).count(),
        posts_generated=posts["total"],
        posts_generated_in_window=posts["in_window"],
        published_real=pubs["real"],
        published_sandbox=pubs["sandbox"],
        published_real_in_window=pubs["real_in_window"],
        published_sandbox_in_window=pubs["sandbox_in_window"],
        rate_real=pubs["rate_real"],
        rate_sandbox=pubs["rate_sandbox"],
        reward_real=pubs["reward_real"],
        reward_sandbox=pubs["reward_sandbox"],
    )


@dataclass
class PlatformPoint:
    start: date
    real: int = 0
    sandbox: int = 0
    rate_real: float | None = None
    rate_sandbox: float | None = None


def platform_over_time(*, window: Window) -> list[PlatformPoint]:
    """Publications per UTC day (week over 90 days), real and sandbox apart, with their mean rates."""
    trunc = TruncWeek if window.bucket == "week" else TruncDate
    real, sandbox = ~Q(platform=SANDBOX), Q(platform=SANDBOX)
    rows = (
        Publication.objects.filter(
            status=PUBLISHED, published_at__gte=window.start, published_at__lte=window.end
        )
        .annotate(bucket=trunc("published_at", tzinfo=UTC))
        .values("bucket")
        .annotate(
            real=Count("id", filter=real),
            sandbox=Count("id", filter=sandbox),
            rate_real=Avg("engagement_rate", filter=real),
            rate_sandbox=Avg("engagement_rate", filter=sandbox),
        )
        .order_by("bucket")
    )
    found = {_as_date(row.pop("bucket")): row for row in rows}
    return [PlatformPoint(start=start, **found.get(start, {})) for start in _bucket_starts(window, UTC)]


@dataclass
class TrendRow:
    trend: Trend
    posts: int
    published: int
    reward_real: float | None
    reward_sandbox: float | None

    @property
    def category(self) -> str:
        return _category_label(self.trend.category)


def platform_top_trends(*, window: Window, limit: int = TRENDS_SHOWN) -> list[TrendRow]:
    """The trends most posts were made from in the window, with their publications' mean rewards
    (real and sandbox apart)."""
    made = Q(posts__created_at__gte=window.start, posts__created_at__lte=window.end)
    published = made & Q(posts__publications__status=PUBLISHED)
    trends = (
        Trend.objects.annotate(
            made=Count("posts", filter=made, distinct=True),
            published=Count("posts__publications", filter=published, distinct=True),
            reward_real=Avg(
                "posts__publications__reward", filter=published & ~Q(posts__publications__platform=SANDBOX)
            ),
            reward_sandbox=Avg(
                "posts__publications__reward", filter=published & Q(posts__publications__platform=SANDBOX)
            ),
        )
        .filter(made__gt=0)
        .order_by("-made", F("reward_real").desc(nulls_last=True), "pk")[:limit]
    )
    return [
        TrendRow(
            trend=t,
            posts=t.made,
            published=t.published,
            reward_real=t.reward_real,
            reward_sandbox=t.reward_sandbox,
        )
        for t in trends
    ]


@dataclass
class StaffReport:
    window: Window
    totals: PlatformTotals
    over_time: list[PlatformPoint]
    trends: list[TrendRow]


def staff_analytics_report(*, window: Window) -> StaffReport:
    """Everything the staff analytics page shows; about ten queries whatever the data."""
    return StaffReport(
        window=window,
        totals=platform_totals(window=window),
        over_time=platform_over_time(window=window),
        trends=platform_top_trends(window=window),
    )


# --- the dashboard's strip ------------------------------------------------------------------------------


def brand_recent_totals(*, brand: Brand, days: int = 30, now: datetime | None = None) -> tuple[str, Totals]:
    """The last `days` of the brand's real publications, or of its sandbox ones when it published
    nothing real in that time: (dataset, totals). One query, grouped by platform."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        Publication.objects.filter(brand=brand, status=PUBLISHED, published_at__gte=since)
        .values("platform")
        .annotate(
            posts=Count("id"),
            measured=Count("id", filter=Q(engagement_rate__isnull=False)),
            impressions=Sum("impressions"),
            engagements=Sum(ENGAGEMENTS),
            rate_sum=Sum("engagement_rate"),
            reward_sum=Sum("reward"),
            rewarded=Count("id", filter=Q(reward__isnull=False)),
            final=Count("id", filter=Q(reward_final=True)),
        )
    )
    by_platform = {row["platform"]: row for row in rows}
    real = [by_platform[p] for p in DATASETS[REAL] if p in by_platform]
    data = REAL if real else SANDBOX
    chosen = real or [by_platform[p] for p in DATASETS[SANDBOX] if p in by_platform]

    def total(name: str) -> float:
        return sum(row[name] or 0 for row in chosen)

    measured, rewarded = total("measured"), total("rewarded")
    return data, Totals(
        posts=int(total("posts")),
        measured=int(measured),
        impressions=int(total("impressions")),
        engagements=int(total("engagements")),
        engagement_rate=total("rate_sum") / measured if measured else None,
        reward=total("reward_sum") / rewarded if rewarded else None,
        final=int(total("final")),
    )
