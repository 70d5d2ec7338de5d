"""When to publish: wall-clock times across DST, preferred slots, the next free slot, best times."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.publishing.timing import (
    DEFAULT_BEST_TIMES,
    BestTime,
    NonexistentLocalTime,
    Preferences,
    best_times,
    brand_local_to_utc,
    describe_local_time,
    next_free_slot,
    next_occurrence,
    preferred_slots,
    utc_to_brand_local,
    window_times,
)

NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local_clocks(slots, tz_name):
    return [utc_to_brand_local(s, tz_name).strftime("%a %d %H:%M") for s in slots]


# --- Wall-clock times ---------------------------------------------------------------------------


def test_a_time_in_the_new_york_spring_gap_is_refused_in_plain_words():
    with pytest.raises(NonexistentLocalTime) as error:
        brand_local_to_utc(datetime(2026, 3, 8, 2, 30), "America/New_York")
    assert str(error.value) == (
        "2:30 AM does not exist on Sunday, March 8 in America/New_York: "
        "clocks jump from 2:00 to 3:00. Pick another time."
    )


def test_a_nonexistent_time_is_a_value_error():
    with pytest.raises(ValueError, match="does not exist"):
        brand_local_to_utc(datetime(2026, 3, 8, 2, 0), "America/New_York")


def test_the_london_spring_gap_is_from_one_to_two():
    with pytest.raises(
        NonexistentLocalTime,
        match="1:30 AM does not exist on Sunday, March 29 in Europe/London: clocks jump from 1:00 to 2:00",
    ):
        brand_local_to_utc(datetime(2026, 3, 29, 1, 30), "Europe/London")


def test_an_ambiguous_new_york_time_is_its_first_occurrence():
    assert brand_local_to_utc(datetime(2026, 11, 1, 1, 30), "America/New_York") == utc(2026, 11, 1, 5, 30)


def test_an_ambiguous_time_says_which_offset_was_used():
    described = describe_local_time(datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert described.ambiguous
    assert described.offset == timedelta(hours=-4)
    assert described.note == (
        "1:30 AM happens twice on Sunday, November 1 in America/New_York: clocks go back from 2:00 to 1:00. "
        "We used the first one (EDT, UTC-04:00)."
    )


def test_an_ambiguous_london_time_is_the_summer_time_one():
    described = describe_local_time(datetime(2026, 10, 25, 1, 30), "Europe/London")
    assert (described.utc, described.ambiguous, described.local.tzname()) == (
        utc(2026, 10, 25, 0, 30),
        True,
        "BST",
    )


def test_an_ordinary_time_is_not_ambiguous():
    described = describe_local_time(datetime(2026, 7, 1, 9, 0), "Europe/London")
    assert (described.utc, described.ambiguous, described.note) == (utc(2026, 7, 1, 8, 0), False, "")


def test_a_kolkata_brand_is_five_and_a_half_hours_ahead():
    assert brand_local_to_utc(datetime(2026, 3, 10, 9, 0), "Asia/Kolkata") == utc(2026, 3, 10, 3, 30)


def test_utc_reads_back_as_the_brands_wall_clock():
    local = utc_to_brand_local(utc(2026, 3, 10, 3, 30), "Asia/Kolkata")
    assert (local.hour, local.minute, local.utcoffset()) == (9, 0, timedelta(hours=5, minutes=30))


def test_an_unknown_zone_is_a_plain_value_error():
    with pytest.raises(ValueError, match='"Mars/Olympus" is not a time zone we know'):
        brand_local_to_utc(datetime(2026, 1, 1, 9, 0), "Mars/Olympus")


def test_a_wall_clock_time_must_not_carry_a_zone():
    with pytest.raises(ValueError, match="without a timezone"):
        brand_local_to_utc(utc(2026, 1, 1, 9, 0), "Europe/London")


def test_a_naive_instant_cannot_be_shown_in_the_brands_zone():
    with pytest.raises(ValueError, match="aware"):
        utc_to_brand_local(datetime(2026, 1, 1, 9, 0), "Europe/London")


# --- Preferred slots ---------------------------------------------------------------------------------


def test_windows_give_their_start_and_every_hour_inside():
    assert [t.strftime("%H:%M") for t in window_times(["09:00-11:30", "14:00-15:00", "12:30-14:00"])] == [
        "09:00",
        "10:00",
        "11:00",
        "12:30",
        "13:30",
        "14:00",
    ]


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match='"11:00-09:00" is not a time window'):
        window_times(["11:00-09:00"])


def test_preferred_slots_keep_their_wall_clock_time_across_the_dst_change():
    brand = Preferences(
        timezone="America/New_York", preferred_days=[5, 6, 0], preferred_time_windows=["09:00-10:00"]
    )
    slots = preferred_slots(brand, start=utc(2026, 3, 6, 12), days=4)
    assert local_clocks(slots, "America/New_York") == ["Sat 07 09:00", "Sun 08 09:00", "Mon 09 09:00"]
    assert [s.hour for s in slots] == [14, 13, 13]  # EST, then EDT


def test_preferred_slots_in_london_keep_their_wall_clock_time_in_autumn():
    brand = Preferences(
        timezone="Europe/London", preferred_days=[5, 6], preferred_time_windows=["08:00-09:00"]
    )
    slots = preferred_slots(brand, start=utc(2026, 10, 23), days=3)
    assert local_clocks(slots, "Europe/London") == ["Sat 24 08:00", "Sun 25 08:00"]
    assert [s.hour for s in slots] == [7, 8]


def test_a_preferred_time_in_the_gap_moves_forward_by_the_gap():
    brand = Preferences(
        timezone="America/New_York", preferred_days=[6], preferred_time_windows=["02:30-03:00"]
    )
    assert preferred_slots(brand, start=utc(2026, 3, 7), days=2) == [utc(2026, 3, 8, 7, 30)]  # 03:30 EDT


def test_preferred_slots_are_sorted_and_only_after_the_start():
    brand = Preferences(
        timezone="Asia/Kolkata", preferred_days=[0, 1], preferred_time_windows=["09:00-11:00"]
    )
    slots = preferred_slots(brand, start=utc(2026, 3, 9, 4, 0), days=2)  # Monday 09:30 in Kolkata
    assert local_clocks(slots, "Asia/Kolkata") == ["Mon 09 10:00", "Tue 10 09:00", "Tue 10 10:00"]


def test_preferred_slots_read_a_brand_like_mapping():
    brand = {"timezone": "UTC", "preferred_days": [2], "preferred_time_windows": ["10:00-11:00"]}
    assert preferred_slots(brand, start=utc(2026, 3, 9), days=7) == [utc(2026, 3, 11, 10)]


def test_without_preferences_the_platform_defaults_are_the_slots():
    slots = preferred_slots(Preferences(timezone="UTC"), start=utc(2026, 3, 9), days=7, platform="x")
    assert local_clocks(slots, "UTC") == [
        "Tue 10 09:00",
        "Tue 10 12:00",
        "Wed 11 09:00",
        "Wed 11 12:00",
        "Thu 12 09:00",
        "Thu 12 12:00",
    ]


def test_preferred_days_without_windows_use_the_platforms_default_hours():
    brand = Preferences(timezone="UTC", preferred_days=[4])
    slots = preferred_slots(brand, start=utc(2026, 3, 9), days=7, platform="linkedin")
    assert local_clocks(slots, "UTC") == ["Fri 13 08:00", "Fri 13 10:00", "Fri 13 12:00"]


# --- The next free slot ------------------------------------------------------------------------------

WEEKDAYS_AT_NINE = Preferences(
    timezone="America/New_York",
    preferred_days=[0, 1, 2, 3, 4],
    preferred_time_windows=["09:00-10:00"],
    posts_per_week=5,
)


def test_the_next_free_slot_is_the_first_preferred_slot():
    slot = next_free_slot(WEEKDAYS_AT_NINE, taken=[], after=utc(2026, 3, 9, 12))
    assert slot == utc(2026, 3, 9, 13)  # Monday 09:00 EDT


def test_a_slot_within_the_minimum_gap_of_a_taken_time_is_skipped():
    taken = [utc(2026, 3, 9, 13, 20)]
    slot = next_free_slot(WEEKDAYS_AT_NINE, taken=taken, after=utc(2026, 3, 9, 12))
    assert slot == utc(2026, 3, 10, 13)


def test_a_taken_time_exactly_the_minimum_gap_away_leaves_the_slot_free():
    taken = [utc(2026, 3, 9, 12, 30)]
    assert next_free_slot(WEEKDAYS_AT_NINE, taken=taken, after=utc(2026, 3, 9, 12)) == utc(2026, 3, 9, 13)


def test_a_week_with_its_posts_per_week_taken_is_skipped():
    brand = Preferences(
        timezone="America/New_York",
        preferred_days=[0, 1, 2, 3, 4],
        preferred_time_windows=["09:00-10:00"],
        posts_per_week=2,
    )
    taken = [utc(2026, 3, 9, 13), utc(2026, 3, 10, 13)]  # Monday and Tuesday
    assert next_free_slot(brand, taken=taken, after=utc(2026, 3, 9, 12)) == utc(
        2026, 3, 16, 13
    )  # next Monday


def test_weeks_are_counted_in_the_brands_own_zone():
    # Monday 02:00 in Kolkata is still Sunday in UTC: it counts in the brand's new week.
    brand = Preferences(timezone="Asia/Kolkata", preferred_time_windows=["09:00-10:00"], posts_per_week=1)
    taken = [utc(2026, 3, 8, 20, 30)]
    slot = next_free_slot(brand, taken=taken, after=utc(2026, 3, 8, 21))
    assert local_clocks([slot], "Asia/Kolkata") == ["Mon 16 09:00"]


def test_no_free_slot_within_the_horizon_is_a_plain_value_error():
    brand = Preferences(
        timezone="UTC", preferred_days=[0], preferred_time_windows=["09:00-10:00"], posts_per_week=1
    )
    taken = [utc(2026, 3, 9 + 7 * week, 9) for week in range(3)]
    with pytest.raises(ValueError, match="No free publishing time in the 14 days after Monday, March 9"):
        next_free_slot(brand, taken=taken, after=utc(2026, 3, 9), horizon_days=14)


def test_a_naive_taken_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        next_free_slot(WEEKDAYS_AT_NINE, taken=[datetime(2026, 3, 9, 9)], after=utc(2026, 3, 9))


# --- Best times --------------------------------------------------------------------------------------


def posts(weekday_date, hour, rates, tz=NEW_YORK):
    """Posts published on a brand-local date at an hour, one per engagement rate, a week apart."""
    start = datetime(*weekday_date, hour, 5, tzinfo=tz)
    return [(start + timedelta(weeks=i), rate) for i, rate in enumerate(rates)]


def test_with_enough_posts_the_best_slot_comes_from_the_history():
    history = posts((2026, 1, 7), 10, [0.06, 0.05, 0.07, 0.06]) + posts(
        (2026, 1, 5), 15, [0.02, 0.03, 0.02, 0.01]
    )
    best = best_times(platform="linkedin", history=history, tz_name="America/New_York", count=1)
    assert best == [
        BestTime(
            weekday=2,
            hour=10,
            score=pytest.approx(0.0457, abs=1e-4),
            posts=4,
            source="history",
            reason="from 4 of your posts: 6.0% engagement",
        )
    ]
    assert best[0].label == "Wed 10:00"


def test_fewer_posts_than_the_minimum_give_the_platform_defaults():
    history = posts((2026, 1, 7), 10, [0.06, 0.05])
    best = best_times(platform="linkedin", history=history, tz_name="America/New_York")
    assert [(b.label, b.source, b.posts) for b in best] == [
        ("Wed 10:00", "default", 0),
        ("Tue 10:00", "default", 0),
        ("Thu 10:00", "default", 0),
    ]
    assert best[0].reason == "typical best time for LinkedIn"


def test_one_outlier_post_does_not_win_over_a_slot_that_is_good_again_and_again():
    history = (
        posts((2026, 1, 5), 3, [0.10])  # one lucky post at 3 AM on a Monday
        + posts((2026, 1, 6), 9, [0.07, 0.06, 0.07, 0.06, 0.07, 0.06, 0.065, 0.065])
        + posts((2026, 1, 8), 16, [0.02, 0.03, 0.02, 0.03, 0.02, 0.03, 0.02, 0.03])
    )
    best = best_times(platform="x", history=history, tz_name="America/New_York", count=2)
    assert [b.label for b in best] == ["Tue 09:00", "Mon 03:00"]


def test_history_is_bucketed_in_the_brands_local_time():
    history = [(utc(2026, 1, 7, 15, 0) + timedelta(weeks=i), 0.05) for i in range(8)]  # 10:00 EST
    best = best_times(platform="x", history=history, tz_name="America/New_York", count=1)
    assert best[0].label == "Wed 10:00"


def test_equal_scores_go_to_the_slot_with_more_posts_then_the_earlier_one():
    history = (
        posts((2026, 1, 8), 9, [0.05] * 4)
        + posts((2026, 1, 6), 9, [0.05] * 2)
        + posts((2026, 1, 5), 9, [0.05] * 2)
    )
    best = best_times(platform="x", history=history, tz_name="America/New_York")
    assert [b.label for b in best] == ["Thu 09:00", "Mon 09:00", "Tue 09:00"]


def test_defaults_fill_in_when_the_history_has_fewer_slots_than_asked():
    history = posts((2026, 1, 7), 9, [0.05] * 8)
    best = best_times(platform="x", history=history, tz_name="America/New_York", count=3)
    assert [(b.label, b.source) for b in best] == [
        ("Wed 09:00", "history"),
        ("Tue 09:00", "default"),
        ("Thu 09:00", "default"),
    ]


def test_posts_without_an_engagement_rate_are_left_out():
    history = [*posts((2026, 1, 7), 10, [0.05] * 7), (utc(2026, 1, 6, 14), None)]
    assert best_times(platform="x", history=history, tz_name="America/New_York")[0].source == "default"


def test_every_platform_has_default_best_times():
    assert set(DEFAULT_BEST_TIMES) == {"x", "linkedin", "sandbox"}


def test_the_next_occurrence_of_a_best_time_is_the_next_such_weekday_and_hour():
    best = BestTime(weekday=1, hour=9, score=0.0, posts=0, source="default", reason="")
    after = utc(2026, 3, 4, 12)  # a Wednesday
    assert next_occurrence(best, after=after, tz_name="America/New_York") == utc(2026, 3, 10, 13)  # 09:00 EDT


def test_the_next_occurrence_can_be_later_the_same_day():
    best = BestTime(weekday=1, hour=9, score=0.0, posts=0, source="default", reason="")
    after = utc(2026, 3, 10, 3, 0)  # Tuesday 08:30 in Kolkata
    assert next_occurrence(best, after=after, tz_name="Asia/Kolkata") == utc(2026, 3, 10, 3, 30)


def test_the_next_occurrence_skips_the_slot_that_has_just_passed():
    best = BestTime(weekday=1, hour=9, score=0.0, posts=0, source="default", reason="")
    after = utc(2026, 3, 10, 13)  # exactly Tuesday 09:00 EDT
    assert next_occurrence(best, after=after, tz_name="America/New_York") == utc(2026, 3, 17, 13)
