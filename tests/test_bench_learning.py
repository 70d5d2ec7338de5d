"""A tiny run of ``python -m bench.learning`` (1 brand, 2 weeks, 3 posts a week) through the same
services, in the test database: the loop publishes, fetches rewards, trains and reports."""

import random

import pytest

from bench import _learning


def test_the_hidden_table_has_one_best_action_on_the_brands_platform():
    table, best = _learning.hidden_table(random.Random(1), "linkedin")
    assert best[1] in ("post", "carousel")
    assert table[best] == _learning.BEST_MULTIPLIER
    assert all(v < _learning.BEST_MULTIPLIER for k, v in table.items() if k != best)


@pytest.mark.django_db(transaction=True)
def test_a_tiny_simulation_runs_the_whole_loop_and_reports_the_figures():
    lines = []
    figures = _learning.simulate(brands=1, weeks=2, posts_per_week=3, seed=3, log=lines.append)
    assert figures["brands"] == 1 and figures["weeks"] == 2
    assert len(figures["oracle_ratio_by_week"]) == 2
    assert 0 < figures["oracle_ratio_week4"] <= 1.5
    assert 0 < figures["random_ratio"] < 1
    assert lines[0].startswith("week 1: 3 posts published, 3 metrics fetched, 1 trainings (bandit)")

    from apps.learning.models import PolicyModel, TrainingRun
    from apps.sandbox.engagement import engagement_multiplier

    assert TrainingRun.objects.count() == 2
    assert PolicyModel.objects.get().mode == "bandit"  # 6 rewarded posts: fewer than 10
    assert engagement_multiplier.__module__ == "apps.sandbox.engagement"  # the hook is undone
