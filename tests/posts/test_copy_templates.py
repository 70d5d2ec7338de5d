"""Platform limits (X's weighted count, threads, carousels, trimming) and the template copy that
stands in for the LLM: within the limits for every tone and format, about the trend, varied,
deterministic, and in the brand's voice."""

import string
from types import SimpleNamespace

import pytest

from apps.posts import limits
from apps.posts.copy_templates import (
    OPTIONAL_PLACEHOLDERS,
    TEMPLATES,
    TONES,
    template_copy,
    template_variant_count,
)
from apps.posts.limits import (
    EMOJI_SEQUENCE,
    over_limit,
    slide_split,
    thread_number,
    trim_to_limit,
    x_weighted_length,
)
from apps.posts.safety import copy_check

FORMATS = [("x", "post"), ("x", "thread"), ("linkedin", "post"), ("linkedin", "carousel")]
TITLE = "EU regulators finalise instant payments rules for banks and fintechs"


def make_brand(**overrides):
    fields = {
        "name": "Northwind Analytics",
        "industry": SimpleNamespace(name="Fintech"),
        "pillars": [
            "Month-end close in days, not weeks",
            "Finance automation that auditors trust",
            "Built for growing finance teams",
        ],
        "audience_roles": ["CFO", "Finance director"],
        "voice_profile": {},
        "banned_topics": [],
    }
    return SimpleNamespace(**{**fields, **overrides})


def make_trend(**overrides):
    fields = {
        "title": TITLE,
        "summary": "Payment providers must offer instant euro transfers at no extra cost by October. "
        "Banks must also verify payee names before every transfer.",
        "category": "regulation",
    }
    return SimpleNamespace(**{**fields, **overrides})


def copy_for(platform, post_format, tone="professional", **kwargs):
    brand = kwargs.pop("brand", None) or make_brand()
    trend = kwargs.pop("trend", None) or make_trend()
    return template_copy(
        brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone, **kwargs
    )


# --- Limits ----------------------------------------------------------------------------------


def test_a_url_counts_23_on_x_however_long_it_is():
    url = "https://example.com/a/very/long/path/that/goes/on?utm_source=newsletter&utm_medium=email"
    assert x_weighted_length(f"Read {url} now") == len("Read ") + 23 + len(" now")


def test_a_sentence_full_stop_after_a_url_is_not_part_of_it():
    assert x_weighted_length("See example.com/rules.") == len("See ") + 23 + 1


def test_an_emoji_counts_2_on_x_whatever_code_points_make_it():
    assert x_weighted_length("🚀") == 2
    assert x_weighted_length("👍🏽") == 2  # with a skin tone
    assert x_weighted_length("👨‍👩‍👧") == 2  # a ZWJ family
    assert x_weighted_length("🇩🇪") == 2  # a flag


def test_latin_text_counts_1_a_character_and_cjk_counts_2_on_x():
    assert x_weighted_length("Café — “quoted”") == len("Café — “quoted”")
    assert x_weighted_length("日本語") == 6


def test_a_post_over_280_weighted_characters_is_reported_with_its_length():
    assert over_limit("x", "post", ["a" * 280]) == []
    assert over_limit("x", "post", ["a" * 279 + "🚀"]) == ["The post is 281 characters; X allows 280."]


def test_the_long_tweet_of_a_thread_is_named():
    errors = over_limit("x", "thread", ["First tweet 1/3", "b" * 301, "Last 3/3"])
    assert errors == ["Tweet 2 is 301 characters; X allows 280."]


def test_a_thread_has_2_to_10_tweets():
    assert over_limit("x", "thread", ["One"]) == ["A thread needs at least 2 tweets; this one has 1."]
    assert over_limit("x", "thread", ["Tweet"] * 11) == ["A thread has at most 10 tweets; this one has 11."]
    assert over_limit("x", "thread", ["Tweet"] * 10) == []


def test_a_linkedin_post_over_3000_characters_is_reported_with_thousands():
    assert over_limit("linkedin", "post", ["a" * 3000]) == []
    assert over_limit("linkedin", "post", ["a" * 3012]) == [
        "The post is 3,012 characters; LinkedIn allows 3,000."
    ]


def test_carousel_slides_keep_headlines_to_60_and_bodies_to_200_with_3_to_10_slides():
    ok_slide = limits.slide_join("Headline", "Body text.")
    assert over_limit("linkedin", "carousel", [ok_slide] * 3, caption="Caption") == []
    errors = over_limit(
        "linkedin",
        "carousel",
        [limits.slide_join("h" * 61, "b" * 201), ok_slide],
        caption="c" * 3001,
    )
    assert errors == [
        "A carousel has 3 to 10 slides; this one has 2.",
        "Slide 1's headline is 61 characters; keep it to 60.",
        "Slide 1's text is 201 characters; keep it to 200.",
        "The caption is 3,001 characters; LinkedIn allows 3,000.",
    ]


def test_a_format_the_platform_does_not_have_is_an_error():
    assert over_limit("x", "carousel", ["a"]) == ["X has no carousel format."]


def test_threads_are_numbered_i_of_n_replacing_their_own_numbering_but_not_24_7():
    assert thread_number(["Start here 1/3", "(2/3) Support 24/7", "Done"]) == [
        "Start here 1/3",
        "Support 24/7 2/3",
        "Done 3/3",
    ]


def test_trimming_cuts_at_the_last_sentence_that_fits():
    text = "Rules change in October. Banks must verify payee names. Fees must match standard transfers."
    assert trim_to_limit(text, 60) == "Rules change in October. Banks must verify payee names."


def test_trimming_cuts_at_a_word_with_an_ellipsis_when_no_sentence_fits():
    text = "Instant payments become the default for every euro transfer across the union"
    trimmed = trim_to_limit(text, 30)
    assert trimmed == "Instant payments become the…"
    assert len(trimmed) <= 30


def test_trimming_counts_as_x_does_when_asked():
    text = "Read the rules. https://example.com/" + "x" * 200 + " explains every detail of them."
    trimmed = trim_to_limit(text, 45, length=x_weighted_length)
    assert x_weighted_length(trimmed) <= 45
    assert trimmed.startswith("Read the rules.")


def test_text_that_fits_is_not_trimmed():
    assert trim_to_limit("Short and sweet.", 280) == "Short and sweet."


# --- Template copy ---------------------------------------------------------------------------

ALL_COMBINATIONS = [(tone, platform, post_format) for tone in TONES for platform, post_format in FORMATS]


@pytest.mark.parametrize(("tone", "platform", "post_format"), ALL_COMBINATIONS)
def test_every_variant_fits_the_platform_mentions_the_trend_and_is_safe(tone, platform, post_format):
    count = template_variant_count(tone=tone, platform=platform, post_format=post_format)
    for variant in range(count):
        copy = copy_for(platform, post_format, tone, variant=variant)
        assert over_limit(platform, post_format, copy.parts, caption=copy.caption or None) == []
        assert TITLE in copy.text
        assert "{" not in copy.text and "}" not in copy.text
        result = copy_check(text=copy.text, brand=make_brand())
        assert result.ok, result.reasons


@pytest.mark.parametrize(("tone", "platform", "post_format"), ALL_COMBINATIONS)
def test_there_are_at_least_3_variants_and_they_differ(tone, platform, post_format):
    count = template_variant_count(tone=tone, platform=platform, post_format=post_format)
    assert count >= 3
    texts = {copy_for(platform, post_format, tone, variant=v).text for v in range(count)}
    assert len(texts) == count


@pytest.mark.parametrize(("platform", "post_format"), FORMATS)
def test_the_same_seed_gives_the_same_copy(platform, post_format):
    first = copy_for(platform, post_format, "witty", seed=42)
    again = copy_for(platform, post_format, "witty", seed=42)
    assert first == again


def test_without_variant_or_seed_the_same_inputs_give_the_same_copy():
    assert copy_for("x", "post") == copy_for("x", "post")


def test_different_seeds_pick_different_variants():
    variants = {copy_for("linkedin", "post", "bold", seed=seed).variant for seed in range(20)}
    assert len(variants) > 1


def test_the_variant_wraps_around_the_number_of_templates():
    count = template_variant_count(tone="friendly", platform="x", post_format="post")
    assert (
        copy_for("x", "post", "friendly", variant=count).text
        == copy_for("x", "post", "friendly", variant=0).text
    )


def test_the_copy_uses_the_pillar_nearest_the_trend_and_the_audience_in_plural():
    brand = make_brand(pillars=["Built for growing teams", "Instant payments without the paperwork"])
    copy = copy_for("linkedin", "post", "professional", brand=brand, variant=0)
    assert "instant payments without the paperwork" in copy.text
    assert "CFOs and finance directors" in copy.text


def test_a_thread_is_numbered_and_carries_the_hashtags_in_its_first_tweet():
    copy = copy_for("x", "thread", "educational", variant=1)
    total = len(copy.parts)
    assert 2 <= total <= 10
    assert all(part.endswith(f"{i}/{total}") for i, part in enumerate(copy.parts, start=1))
    assert copy.hashtags and all(tag in copy.parts[0] for tag in copy.hashtags)


def test_a_carousel_has_headlined_slides_without_emoji_and_a_caption():
    brand = make_brand(voice_profile={"emoji_per_post": 3, "hashtags_per_post": 2, "median_chars": 300})
    copy = copy_for("linkedin", "carousel", "inspirational", brand=brand, variant=0)
    assert 3 <= len(copy.parts) <= 10
    for slide in copy.parts:
        headline, body = slide_split(slide)
        assert headline and body
        assert not EMOJI_SEQUENCE.search(slide)
    assert TITLE in copy.caption
    assert EMOJI_SEQUENCE.search(copy.caption)


def test_hashtags_come_from_the_trend_and_the_industry():
    copy = copy_for("linkedin", "post", "professional", variant=0)
    assert copy.hashtags[:2] == ["#InstantPayments", "#fintech"]
    assert copy.parts[0].endswith(" ".join(copy.hashtags))


def test_a_brand_that_posts_without_emoji_or_hashtags_gets_none():
    brand = make_brand(voice_profile={"emoji_per_post": 0, "hashtags_per_post": 0, "median_chars": 400})
    for tone in TONES:
        for platform, post_format in FORMATS:
            for variant in range(3):
                copy = copy_for(platform, post_format, tone, brand=brand, variant=variant)
                assert not EMOJI_SEQUENCE.search(copy.text), copy.text
                assert "#" not in copy.text
                assert copy.hashtags == []


def test_a_brand_that_always_uses_emoji_gets_one_even_in_a_sober_template():
    brand = make_brand(voice_profile={"emoji_per_post": 1.5, "hashtags_per_post": 1})
    copy = copy_for("x", "post", "professional", brand=brand, variant=0)
    assert EMOJI_SEQUENCE.match(copy.parts[0])


def test_the_brand_gets_its_usual_number_of_hashtags_its_favourite_among_them():
    brand = make_brand(voice_profile={"hashtags_per_post": 3.2, "top_hashtags": ["#finops", "#cfo"]})
    copy = copy_for("linkedin", "post", "professional", brand=brand, variant=0)
    assert len(copy.hashtags) == 3
    assert "#finops" in copy.hashtags


def test_a_brand_that_never_exclaims_gets_no_exclamation_marks():
    brand = make_brand(voice_profile={"exclamation_rate": 0})
    for tone in TONES:
        for variant in range(3):
            assert "!" not in copy_for("linkedin", "post", tone, brand=brand, variant=variant).text


def test_a_brand_that_writes_short_posts_gets_shorter_linkedin_posts():
    short = make_brand(voice_profile={"median_chars": 250})
    long = make_brand(voice_profile={"median_chars": 1500})
    short_copy = copy_for("linkedin", "post", "professional", brand=short, variant=0)
    long_copy = copy_for("linkedin", "post", "professional", brand=long, variant=0)
    assert len(short_copy.text) < len(long_copy.text)
    assert "Three questions worth asking" not in short_copy.text


def test_a_very_long_trend_still_fits_on_x_even_with_an_added_emoji():
    trend = make_trend(title="Central bank holds rates as inflation cools " * 10, summary="Long. " * 200)
    brand = make_brand(voice_profile={"emoji_per_post": 2, "hashtags_per_post": 3})
    for tone in TONES:
        for post_format in ("post", "thread"):
            copy = copy_for("x", post_format, tone, brand=brand, trend=trend, variant=0)
            assert over_limit("x", post_format, copy.parts) == []
            assert "Central bank holds rates" in copy.text


def test_a_bare_brand_and_trend_still_give_a_complete_post():
    brand = SimpleNamespace(name="Acme")
    trend = SimpleNamespace(title="Is remote work making teams less productive?")
    copy = template_copy(
        brand=brand, trend=trend, platform="linkedin", post_format="carousel", tone="friendly"
    )
    assert over_limit("linkedin", "carousel", copy.parts, caption=copy.caption) == []
    assert "{" not in copy.text
    assert "productive?." not in copy.text
    assert copy_check(text=copy.text, brand=brand).ok


def test_an_unknown_tone_is_taken_as_professional():
    assert copy_for("x", "post", "sarcastic", variant=0).tone == "professional"


def test_a_format_the_platform_lacks_is_refused():
    with pytest.raises(ValueError):
        copy_for("x", "carousel")


def test_templates_use_only_known_placeholders():
    known = {"trend", "brand", "industry", "audience", "Audience", "pillar", "Pillar", "ask", "cta"}
    known |= OPTIONAL_PLACEHOLDERS | {"detail"}

    def texts(item):
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for value in item.values():
                yield from texts(value)
        else:
            for value in item:
                yield from texts(value)

    for text in texts(TEMPLATES):
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        assert names <= known, (names - known, text)
