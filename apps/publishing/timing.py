"""When to publish: brand-local wall-clock times and UTC, the brand's preferred slots, the next
free one, and best-time suggestions from the brand's own engagement history.

Pure functions, no models: a "brand" is anything with `timezone` (an IANA name),
`preferred_days` (weekdays, 0 = Monday), `preferred_time_windows` ("HH:MM-HH:MM") and
`posts_per_week` — a Brand, a `Preferences`, or a mapping with those keys.

Wall-clock rules (zoneinfo, so every DST change of every zone is right):
- A time that does not exist (the spring-forward gap) is refused when the brand picks it
  (`NonexistentLocalTime`, with a sentence the UI can show), and moved forward by the gap when it
  comes from a recurring preference (02:30 on the day New York skips to 03:00 becomes 03:30).
- A time that happens twice (fall-back) is its first occurrence; `describe_local_time` says so.

Slots from preferences: on each preferred day, the start of each window and every whole hour
after it while still inside the window ("09:00-11:30" gives 09:00, 10:00 and 11:00;
"12:30-14:00" gives 12:30 and 13:30). No preferred days means every day; no windows means the
platform's default hours; neither means the platform's default (weekday, hour) pairs.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apps.core.vocabulary import platform_label

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Best times by platform, as (weekday, hour) in the brand's local time, strongest first. For X and
# LinkedIn they are what the yearly "best times to post" studies of social-media management
# vendors (Sprout Social, Hootsuite, Buffer, from their customers' posts) agree on: mid-week,
# mornings and around noon; they disagree on details, so we keep to the overlap. The sandbox's
# are the peaks of its own engagement model (apps/sandbox/engagement.py: busiest Tue and Wed,
# then Thu; the day's bumps at 10:30 and 18:00).
DEFAULT_BEST_TIMES: dict[str, tuple[tuple[int, int], ...]] = {
    "x": ((2, 9), (1, 9), (3, 9), (2, 12), (1, 12), (3, 12)),
    "linkedin": ((2, 10), (1, 10), (3, 10), (2, 8), (1, 8), (3, 8), (2, 12), (1, 12), (3, 12)),
    "sandbox": ((1, 10), (2, 10), (3, 10), (1, 18), (2, 18), (3, 18)),
}

# Best-time scores shrink each (weekday, hour)'s mean toward the brand's overall mean as if every
# slot also had this many posts at the overall mean (see `best_times`): a slot's own mean counts
# for half once it has 10 posts. Engagement rates vary far more from post to post than from slot
# to slot, so a smaller weight lets one lucky post decide.
SHRINKAGE_POSTS = 10


class NonexistentLocalTime(ValueError):
    """A wall-clock time the brand's zone skips (clocks spring forward over it)."""


@dataclass(frozen=True)
class Preferences:
    """The brand-like shape these functions read, for callers without a Brand."""

    timezone: str = "UTC"
    preferred_days: list[int] = field(default_factory=list)
    preferred_time_windows: list[str] = field(default_factory=list)
    posts_per_week: int | None = None


@dataclass(frozen=True)
class LocalTime:
    """A brand-local wall-clock time resolved to an instant, and what the UI should say about it."""

    local: datetime  # aware, in the brand's zone
    utc: datetime
    ambiguous: bool  # it happens twice on that day; `utc` is the first
    offset: timedelta  # the UTC offset used
    note: str  # a sentence for the UI when ambiguous, else ""


@dataclass(frozen=True)
class BestTime:
    weekday: int  # 0 = Monday, brand-local
    hour: int  # brand-local
    score: float  # the shrunk mean engagement rate (0.0 for defaults)
    posts: int  # the brand's posts in this slot
    source: str  # "history" or "default"
    reason: str

    @property
    def label(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday]} {self.hour:02d}:00"


# --- Zones and wall-clock times ------------------------------------------------------------------


@lru_cache(maxsize=256)
def zone(tz_name: str) -> ZoneInfo:
    """The zone named, or a ValueError the UI can show."""
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f'"{tz_name}" is not a time zone we know. Use a name like "Europe/London".'
        ) from None


def _clock(moment: datetime | time) -> str:
    """2:00, 14:30."""
    return f"{moment.hour}:{moment.minute:02d}"


def _clock_12h(moment: datetime) -> str:
    """2:30 AM."""
    return f"{(moment.hour % 12) or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def _day(moment: datetime) -> str:
    """Sunday, March 8."""
    return f"{moment:%A, %B} {moment.day}"


def _offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _transition(tz: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The UTC instant in (lo, hi] at which the zone's offset changes from lo's to hi's."""
    before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a timezone).")
    return moment


def describe_local_time(local: datetime, tz_name: str) -> LocalTime:
    """Resolve a brand-local wall-clock time (naive) to UTC. A time in a spring-forward gap raises
    NonexistentLocalTime; one that happens twice resolves to the first and says so in `note`."""
    if local.tzinfo is not None:
        raise ValueError("Give the brand's wall-clock time without a timezone; the brand's zone is applied.")
    tz = zone(tz_name)
    first, second = local.replace(tzinfo=tz, fold=0), local.replace(tzinfo=tz, fold=1)
    utc = first.astimezone(UTC)
    before, after = first.utcoffset(), second.utcoffset()
    if utc.astimezone(tz).replace(tzinfo=None) != local:
        switch = _transition(tz, local.replace(tzinfo=UTC) - after, local.replace(tzinfo=UTC) - before)
        raise NonexistentLocalTime(
            f"{_clock_12h(local)} does not exist on {_day(local)} in {tz_name}: clocks jump from "
            f"{_clock(switch + before)} to {_clock(switch + after)}. Pick another time."
        )
    if before == after:
        return LocalTime(local=first, utc=utc, ambiguous=False, offset=before, note="")
    switch = _transition(tz, local.replace(tzinfo=UTC) - before, local.replace(tzinfo=UTC) - after)
    note = (
        f"{_clock_12h(local)} happens twice on {_day(local)} in {tz_name}: clocks go back from "
        f"{_clock(switch + before)} to {_clock(switch + after)}. We used the first one "
        f"({first.tzname()}, {_offset(before)})."
    )
    return LocalTime(local=first, utc=utc, ambiguous=True, offset=before, note=note)


def brand_local_to_utc(local: datetime, tz_name: str) -> datetime:
    """The UTC instant of a brand-local wall-clock time (see `describe_local_time`)."""
    return describe_local_time(local, tz_name).utc


def utc_to_brand_local(moment: datetime, tz_name: str) -> datetime:
    """An aware instant as the brand's wall clock shows it (aware, in the brand's zone)."""
    return _require_aware(moment, "The time").astimezone(zone(tz_name))


def _recurring_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A recurring wall-clock slot on one day: a skipped time moves forward by the gap (fold=0
    reads it with the offset before the jump), a doubled one is its first occurrence."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


# --- Preferred slots ------------------------------------------------------------------------------


def _pref(brand: Any, name: str, default: Any) -> Any:
    value = brand.get(name, default) if isinstance(brand, Mapping) else getattr(brand, name, default)
    return default if value is None else value


def _parse_clock(text: str) -> int:
    """Minutes after midnight of "HH:MM" (24:00 allowed, as a window's end)."""
    hours, minutes = text.split(":")
    value = int(hours) * 60 + int(minutes)
    if not (len(minutes) == 2 and 0 <= int(minutes) < 60 and 0 <= value <= 24 * 60):
        raise ValueError(text)
    return value


def window_times(windows: Iterable[str]) -> list[time]:
    """The slot times of time windows: each start and every hour after it inside the window."""
    times = set()
    for window in windows:
        try:
            start, end = (_parse_clock(part.strip()) for part in window.split("-"))
        except ValueError:
            start = end = 0
        if start >= end or start >= 24 * 60:
            raise ValueError(f'"{window}" is not a time window like 09:00-11:00 (start before end).')
        times.update(time(minute // 60, minute % 60) for minute in range(start, end, 60))
    return sorted(times)


def _default_pairs(platform: str | None) -> tuple[tuple[int, int], ...]:
    if platform is None:
        return tuple(dict.fromkeys(DEFAULT_BEST_TIMES["x"] + DEFAULT_BEST_TIMES["linkedin"]))
    if platform not in DEFAULT_BEST_TIMES:
        raise ValueError(f'No default publishing times are known for the platform "{platform}".')
    return DEFAULT_BEST_TIMES[platform]


def _times_by_weekday(brand: Any, platform: str | None) -> dict[int, list[time]]:
    days = sorted({int(d) for d in _pref(brand, "preferred_days", [])})
    windows = list(_pref(brand, "preferred_time_windows", []))
    if any(not 0 <= d <= 6 for d in days):
        raise ValueError("Preferred days are weekdays from 0 (Monday) to 6 (Sunday).")
    if not days and not windows:
        by_weekday: dict[int, set[time]] = {}
        for weekday, hour in _default_pairs(platform):
            by_weekday.setdefault(weekday, set()).add(time(hour))
        return {weekday: sorted(times) for weekday, times in by_weekday.items()}
    times = window_times(windows) if windows else sorted({time(hour) for _, hour in _default_pairs(platform)})
    return dict.fromkeys(days or range(7), times)


def preferred_slots(
    brand: Any, *, start: datetime, days: int = 14, platform: str | None = None
) -> list[datetime]:
    """The brand's publishing slots (aware UTC, sorted) after `start` and within `days` of it,
    from its preferred days and windows in its own zone (rules in the module docstring). Without
    preferences, the default times of `platform` (of X and LinkedIn together when None)."""
    start = _require_aware(start, "start").astimezone(UTC)
    end = start + timedelta(days=days)
    tz = zone(_pref(brand, "timezone", "UTC"))
    by_weekday = _times_by_weekday(brand, platform)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    slots = set()
    while day <= last:
        for at in by_weekday.get(day.weekday(), ()):
            slot = _recurring_to_utc(day, at, tz)
            if start < slot <= end:
                slots.add(slot)
        day += timedelta(days=1)
    return sorted(slots)


def next_free_slot(
    brand: Any,
    *,
    taken: Iterable[datetime],
    after: datetime,
    min_gap: timedelta = timedelta(minutes=30),
    horizon_days: int = 60,
    platform: str | None = None,
) -> datetime:
    """The first preferred slot after `after` that is at least `min_gap` from every taken time
    and whose brand-local ISO week (Monday to Sunday) has fewer than `posts_per_week` taken."""
    tz = zone(_pref(brand, "timezone", "UTC"))
    per_week = _pref(brand, "posts_per_week", None)
    busy = sorted(_require_aware(t, "A taken time").astimezone(UTC) for t in taken)
    weeks = Counter(t.astimezone(tz).isocalendar()[:2] for t in busy)
    for slot in preferred_slots(brand, start=after, days=horizon_days, platform=platform):
        if per_week is not None and weeks[slot.astimezone(tz).isocalendar()[:2]] >= per_week:
            continue
        i = bisect.bisect_left(busy, slot)
        near = busy[max(i - 1, 0) : i + 1]
        if all(abs(slot - t) >= min_gap for t in near):
            return slot
    limit = f" or its week already has {per_week} posts" if per_week is not None else ""
    raise ValueError(
        f"No free publishing time in the {horizon_days} days after "
        f"{_day(utc_to_brand_local(after, tz.key))}: every preferred time is taken{limit}. "
        "Add preferred days or times, or allow more posts a week."
    )


# --- Best times -------------------------------------------------------------------------------------


def _default_reason(platform: str) -> str:
    if platform == "sandbox":
        return "busiest time in the sandbox's engagement model"
    return f"typical best time for {platform_label(platform)}"


def default_best_times(
    platform: str, *, count: int, exclude: Iterable[tuple[int, int]] = ()
) -> list[BestTime]:
    """The platform's default best times, strongest first, flagged as defaults."""
    skip = set(exclude)
    return [
        BestTime(weekday, hour, score=0.0, posts=0, source="default", reason=_default_reason(platform))
        for weekday, hour in _default_pairs(platform)
        if (weekday, hour) not in skip
    ][:count]


def best_times(
    *,
    platform: str,
    history: Iterable[tuple[datetime, float]],
    tz_name: str,
    count: int = 3,
    min_posts: int = 8,
) -> list[BestTime]:
    """The best (weekday, hour) slots, brand-local, from the brand's published posts
    (published_at aware, engagement rate as a fraction; rows without a rate are left out).

    Each slot scores its mean shrunk toward the brand's overall mean m:
        score = (sum of the slot's rates + k·m) / (posts in the slot + k), k = SHRINKAGE_POSTS,
    so one lucky post cannot outrank a slot that is good again and again. Ties go to the slot with
    more posts, then to the earlier one in the week. With fewer than `min_posts` posts the
    platform's defaults are returned, and defaults fill the list when the history has fewer
    slots than `count`."""
    tz = zone(tz_name)
    sums: dict[tuple[int, int], float] = {}
    counts: Counter[tuple[int, int]] = Counter()
    for published_at, rate in history:
        if rate is None:
            continue
        local = _require_aware(published_at, "published_at").astimezone(tz)
        cell = (local.weekday(), local.hour)
        sums[cell] = sums.get(cell, 0.0) + float(rate)
        counts[cell] += 1
    total = sum(counts.values())
    if total < min_posts:
        return default_best_times(platform, count=count)
    mean = sum(sums.values()) / total
    scored = [
        ((sums[cell] + SHRINKAGE_POSTS * mean) / (counts[cell] + SHRINKAGE_POSTS), cell) for cell in counts
    ]
    # Rounded so that equal scores are equal whatever the float noise, for the tie-breaks.
    scored.sort(key=lambda item: (-round(item[0], 9), -counts[item[1]], item[1]))
    chosen = [
        BestTime(
            weekday=cell[0],
            hour=cell[1],
            score=score,
            posts=counts[cell],
            source="history",
            reason=f"from {counts[cell]} of your posts: {sums[cell] / counts[cell]:.1%} engagement",
        )
        for score, cell in scored[:count]
    ]
    if len(chosen) < count:
        taken = {(b.weekday, b.hour) for b in chosen}
        chosen += default_best_times(platform, count=count - len(chosen), exclude=taken)
    return chosen


def next_occurrence(best_time: BestTime, *, after: datetime, tz_name: str) -> datetime:
    """The next UTC instant after `after` at which the brand's wall clock shows that weekday and
    hour (a skipped hour moves forward by the gap, a doubled one is its first occurrence)."""
    tz = zone(tz_name)
    after = _require_aware(after, "after").astimezone(UTC)
    day = after.astimezone(tz).date()
    for _ in range(15):
        if day.weekday() == best_time.weekday:
            slot = _recurring_to_utc(day, time(best_time.hour), tz)
            if slot > after:
                return slot
        day += timedelta(days=1)
    raise AssertionError("unreachable: every weekday comes back within a week")
