"""The shared vocabulary: one spelling of platforms, formats and reward bounds for every app."""

import pytest

from apps.core import vocabulary
from apps.core.vocabulary import PLATFORM_FORMAT_PAIRS, format_on, platform_label


def test_platforms_are_named_as_people_read_them():
    assert [platform_label(p) for p in vocabulary.PLATFORMS] == ["X", "LinkedIn", "Sandbox"]
    assert platform_label("mastodon") == "mastodon"


def test_the_model_choices_take_their_labels_from_the_vocabulary():
    from apps.brands.models import Platform
    from apps.posts.models import PostFormat

    assert Platform.choices == list(vocabulary.PLATFORM_LABELS.items())
    assert PostFormat.choices == list(vocabulary.FORMAT_LABELS.items())


def test_the_platform_format_pairs_are_in_a_fixed_order():
    assert PLATFORM_FORMAT_PAIRS == (
        ("x", "post"),
        ("x", "thread"),
        ("linkedin", "post"),
        ("linkedin", "carousel"),
    )


def test_every_format_fit_row_has_a_column_per_platform_format_pair():
    from apps.trends.scoring import FORMAT_FIT

    assert {len(row) for row in FORMAT_FIT.values()} == {len(PLATFORM_FORMAT_PAIRS)}


@pytest.mark.parametrize(
    ("platform", "asked", "made"),
    [
        ("x", "thread", "thread"),
        ("x", "carousel", "post"),
        ("linkedin", "thread", "post"),
        ("linkedin", "carousel", "carousel"),
        ("sandbox", "thread", "thread"),
    ],
)
def test_a_network_that_lacks_a_format_gets_a_post(platform, asked, made):
    assert format_on(platform, asked) == made


def test_rewards_run_from_zero_to_five():
    from apps.analytics.rewards import reward_of

    assert (vocabulary.REWARD_MIN, vocabulary.REWARD_MAX) == (0.0, 5.0)
    assert reward_of(likes=1000, comments=0, shares=0, impressions=1) == vocabulary.REWARD_MAX


def test_templates_name_platforms_with_the_vocabulary():
    from django.template import Context, Template

    rendered = Template("{% load vocabulary %}{{ a|platform_label }}/{{ b|platform_label }}").render(
        Context({"a": "linkedin", "b": "sandbox"})
    )
    assert rendered == "LinkedIn/Sandbox"
