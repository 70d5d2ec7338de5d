"""The Learning page's first sentence: which tone and format do best, and how sure that is, from
the lead over the next one against the lead's margin of error (no database needed)."""

from apps.learning.policy import Action
from apps.learning.selectors import ActionResult, verdict_of

WITTY = Action("witty", "x", "thread")
BOLD = Action("bold", "x", "post")
FRIENDLY = Action("friendly", "linkedin", "post")


def test_a_lead_of_more_than_twice_its_margin_of_error_is_clearly_ahead():
    verdict = verdict_of([ActionResult(WITTY, (3.0, 3.2, 2.9, 3.1)), ActionResult(BOLD, (1.0, 1.2, 0.9))])

    assert verdict.confidence == "clearly ahead"
    assert verdict.headline == "Witty threads on X do best for you — 4 posts, clearly ahead"


def test_the_detail_states_the_lead_and_its_margin_of_error():
    verdict = verdict_of([ActionResult(WITTY, (3.0, 3.2, 2.9, 3.1)), ActionResult(BOLD, (1.0, 1.2, 0.9))])

    assert verdict.detail.startswith(
        "Average performance score 3.0 over 4 posts, against 1.0 for bold posts on X (3 posts): a lead of 2.0 points,"
    )
    assert "times its margin of error (±0.1)" in verdict.detail


def test_a_lead_between_one_and_two_margins_of_error_is_probably_ahead():
    # Means 2.5 and 2.0; spreads 0.5 and 0.5 over 3 posts each: margin ≈ 0.41, lead 0.5 ≈ 1.2 margins.
    verdict = verdict_of([ActionResult(WITTY, (2.0, 2.5, 3.0)), ActionResult(BOLD, (1.5, 2.0, 2.5))])

    assert verdict.confidence == "probably ahead"
    assert verdict.headline == "Witty threads on X look best for you — 3 posts, probably ahead"


def test_a_lead_within_its_margin_of_error_is_too_close_to_call():
    verdict = verdict_of([ActionResult(WITTY, (1.0, 3.0, 2.2)), ActionResult(BOLD, (2.5, 0.5, 2.8))])

    assert verdict.confidence == "too close to call"
    assert (
        verdict.headline == "Witty threads on X and bold posts on X are neck and neck — too close to call yet"
    )


def test_actions_with_fewer_than_3_posts_are_not_compared():
    verdict = verdict_of([ActionResult(WITTY, (2.0, 2.1, 2.2)), ActionResult(BOLD, (4.9, 5.0))])

    assert verdict.best.action == WITTY and verdict.runner_up is None
    assert verdict.headline == "Witty threads on X are the only kind with 3 posts or more — 3 posts so far"


def test_no_verdict_without_an_action_of_3_posts():
    assert verdict_of([ActionResult(WITTY, (2.0, 2.1)), ActionResult(BOLD, (4.9,))]) is None


def test_the_runner_up_is_the_next_best_mean_not_the_next_most_posted():
    verdict = verdict_of(
        [
            ActionResult(WITTY, (3.0, 3.0, 3.0)),
            ActionResult(BOLD, (0.5, 0.5, 0.5, 0.5, 0.5)),
            ActionResult(FRIENDLY, (2.0, 2.2, 1.8)),
        ]
    )

    assert verdict.runner_up.action == FRIENDLY
