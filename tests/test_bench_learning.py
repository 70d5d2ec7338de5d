"""A tiny run of ``python -m bench.learning`` (2 brands, one of each kind, 2 weeks, 3 posts a week)
through the same services, in the test database: the loop publishes, fetches rewards, trains and
reports; and the hidden tables of both settings."""

import random

import pytest

from bench import _learning


def test_the_hidden_table_has_one_best_action_on_the_brands_platform():
    table, best = _learning.hidden_table(random.Random(1), "linkedin")
    assert best[1] in ("post", "carousel")
    assert table[best] == _learning.BEST_MULTIPLIER
    assert all(v < _learning.BEST_MULTIPLIER for k, v in table.items() if k != best)


def test_the_hard_tables_put_the_best_action_only_gap_above_the_second():
    tables, bests = _learning.hidden_tables(random.Random(2), "x", "global")
    assert len(set(bests.values())) == 1 and all(t is tables["product"] for t in tables.values())
    by_category, winners = _learning.hidden_tables(random.Random(2), "linkedin", "by_category")
    assert len(set(winners.values())) == _learning.WINNERS
    for category, table in by_category.items():
        reachable = sorted((v for (t, f), v in table.items() if f in ("post", "carousel")), reverse=True)
        assert table[winners[category]] == reachable[0] == pytest.approx(_learning.GAP * reachable[1])


@pytest.mark.django_db(transaction=True)
def test_a_tiny_simulation_runs_the_whole_loop_and_reports_the_figures():
    lines = []
    figures = _learning.simulate(brands=2, weeks=2, posts_per_week=3, seed=3, log=lines.append)
    assert figures["brands"] == 2 and figures["weeks"] == 2 and figures["setting"] == "hard"
    assert len(figures["oracle_ratio_by_week"]) == 2
    assert figures["oracle_ratio_week4"] is None and figures["oracle_ratio_week6"] is None
    assert all(0 < r <= 1.5 for r in figures["oracle_ratio_by_week"])
    assert 0 < figures["random_ratio"] < 1
    assert lines[0].startswith("week 1: 6 posts published, 6 metrics fetched, 2 trainings (bandit)")
    assert "global" in lines[-2] and "by_category" in lines[-1]

    from apps.learning.models import PolicyModel, TrainingRun
    from apps.sandbox import services as sandbox_services
    from apps.sandbox.engagement import engagement_multiplier

    assert TrainingRun.objects.count() == 4
    assert {m.mode for m in PolicyModel.objects.all()} == {"bandit"}  # 6 rewarded posts: fewer than 10
    assert engagement_multiplier.__module__ == "apps.sandbox.engagement"  # the hook is undone
    assert sandbox_services.secrets.__name__ == "secrets"  # and the sandbox's seeds are its own again


def test_the_policy_explores_the_same_way_after_the_same_seed():
    from types import SimpleNamespace

    from apps.learning.policy import policy_choose_action, policy_rng_seed

    brand = SimpleNamespace(pk=None, default_tone="professional")
    state = {"industry": "tech", "category": "research", "format": "", "tone": ""}

    def run() -> list[str]:
        policy_rng_seed(11)
        return [policy_choose_action(brand=brand, state=state, platforms=["x"]).action.key for _ in range(60)]

    try:
        first, second = run(), run()
    finally:
        policy_rng_seed(None)
    assert first == second and len(set(first)) > 1  # some of the 60 explored


def test_the_bench_graphics_are_small_swatches_with_the_templates_alt_text(settings):
    import io

    from PIL import Image

    from apps.integrations.images.base import GraphicSpec, graphic_generate
    from apps.integrations.images.layouts import alt_text

    settings.GRAPHICS_GENERATOR = "bench._learning.SwatchGraphics"
    spec = GraphicSpec(kind="post_card", headline="Cloud bills fall", brand_name="Sim", primary_color="#F00")
    graphic = graphic_generate(spec)
    image = Image.open(io.BytesIO(graphic.png))
    assert (graphic.width, graphic.height) == image.size == (120, 63)
    assert image.getpixel((0, 0)) == (255, 0, 0)
    assert graphic.alt_text == alt_text(spec) and graphic.kind == "post_card" and not graphic.fallback_reason
