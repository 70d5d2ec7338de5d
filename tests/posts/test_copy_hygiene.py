"""Template copy says nothing about how the data was made: no "Other" industry as a word, no
" - Reuters" kept from a headline, no hashtag made of arbitrary headline words."""

import re
from types import SimpleNamespace

import pytest

from apps.posts.copy_templates import TEMPLATES, TONES, template_copy, template_variant_count

FORMATS = [("x", "post"), ("x", "thread"), ("linkedin", "post"), ("linkedin", "carousel")]
SCHOOLS_TITLE = (
    "EU urges schools to teach money skills as survey finds half of teenagers can't read a payslip - Reuters"
)
SCHOOLS_SUMMARY = (
    "The European Commission asked member states to put financial literacy into school curricula by "
    "2028, after a survey found one in two 15-year-olds could not read a payslip."
)


def brand(**overrides):
    fields = {
        "name": "Bean There",
        "industry": SimpleNamespace(name="Other", slug="other"),
        "pillars": ["Ethically sourced coffee for busy offices", "Good breaks make good teams"],
        "audience_roles": [],
        "voice_profile": {"hashtags_per_post": 3},
        "banned_topics": [],
    }
    return SimpleNamespace(**{**fields, **overrides})


def trend(title=SCHOOLS_TITLE, summary=SCHOOLS_SUMMARY):
    return SimpleNamespace(title=title, summary=summary, category="regulation")


def every_copy(brand, trend):
    for tone in TONES:
        for platform, post_format in FORMATS:
            for variant in range(
                template_variant_count(tone=tone, platform=platform, post_format=post_format)
            ):
                copy = template_copy(
                    brand=brand,
                    trend=trend,
                    platform=platform,
                    post_format=post_format,
                    tone=tone,
                    variant=variant,
                )
                yield " ".join([*copy.parts, copy.caption]), copy


def test_the_industry_sentence_template_exists_so_the_placeholder_test_below_can_fail():
    assert any("{industry}" in str(t) for shapes in TEMPLATES.values() for t in shapes.values())


def test_copy_never_uses_a_placeholder_industry_as_a_word():
    for text, _ in every_copy(brand(), trend()):
        assert not re.search(r"\bwork in other\b|\bother teams\b|\bour industry\b", text, re.I), text


def test_copy_names_a_real_industry_where_the_template_asks_for_it():
    real = brand(industry=SimpleNamespace(name="Food & drink", slug="food-drink"))
    texts = [text for text, _ in every_copy(real, trend())]
    assert any("If you work in food & drink, you'll feel this one soon." in t for t in texts)


def test_copy_leaves_out_the_outlet_a_stored_trend_title_still_carries():
    for text, _ in every_copy(brand(), trend()):
        assert "Reuters" not in text


def test_hashtags_are_not_made_of_headline_words_the_trend_does_not_repeat():
    for _, copy in every_copy(brand(), trend()):
        assert "#UrgesSchools" not in copy.hashtags
        assert all(
            tag.lower() in {"#payslip", "#schools", "#busyoffices", "#offices"} for tag in copy.hashtags
        ), copy.hashtags


def test_hashtags_include_the_brands_pillar_nearest_the_trend():
    finance = brand(
        industry=SimpleNamespace(name="Fintech", slug="fintech"),
        pillars=["Finance automation that auditors trust", "Payroll your people never worry about"],
    )
    copy = template_copy(
        brand=finance, trend=trend(), platform="linkedin", post_format="post", tone="professional"
    )
    assert "#FinanceAutomation" in copy.hashtags or "#payroll" in copy.hashtags
    assert "#fintech" in copy.hashtags


def test_a_placeholder_industry_gives_no_hashtag():
    for _, copy in every_copy(brand(), trend()):
        assert "#other" not in [t.lower() for t in copy.hashtags]


def test_a_trend_that_is_a_hashtag_keeps_its_own_tag():
    copy = template_copy(
        brand=brand(), trend=trend("#OpenBanking", ""), platform="x", post_format="post", tone="bold"
    )
    assert copy.hashtags[0] == "#OpenBanking"


@pytest.mark.parametrize(
    "title, summary, tag",
    [
        (
            "Remote Work Rules Tighten Across Europe",
            "New remote work rules give staff the right to disconnect.",
            "#RemoteWork",
        ),
        (
            "Central bank holds interest rates steady",
            "The central bank kept interest rates at 4%.",
            "#CentralBank",
        ),
    ],
)
def test_the_trends_repeated_topic_becomes_its_hashtag(title, summary, tag):
    copy = template_copy(
        brand=brand(),
        trend=trend(title, summary),
        platform="linkedin",
        post_format="post",
        tone="professional",
    )
    assert copy.hashtags[0] == tag
