"""Brand safety of copy: offensive language, the brand's banned topics, controversial topics,
and text that is not a post (empty, garbage, refusals, placeholders); clean copy passes."""

from types import SimpleNamespace

import pytest

from apps.posts.safety import copy_check

CLEAN = (
    "EU regulators finalise instant payments rules for banks and fintechs.\n\n"
    "For CFOs, this is a cue to revisit the plan, not to panic. Our lens: month-end close in days, "
    "not weeks.\n\nHow is your team approaching this? 🚀\n\n#InstantPayments #fintech https://example.com/rules"
)


def brand(banned_topics=None):
    return SimpleNamespace(name="Northwind", banned_topics=banned_topics or [])


def check(text, **kwargs):
    return copy_check(text=text, brand=brand(**kwargs))


def test_clean_copy_passes():
    result = check(CLEAN)
    assert result.ok
    assert result.reasons == []
    assert bool(result)


def test_a_brand_without_banned_topics_is_fine():
    assert copy_check(text=CLEAN, brand=SimpleNamespace(name="Old brand")).ok


@pytest.mark.parametrize(
    "text",
    [
        "What the fuck is going on with payments this week",
        "This rule is total bullshit for small lenders",
        "sh1t happens to every finance team, even ours",
        "f u c k the old way of closing the books",
        "Only idiots still reconcile by hand, right team?",
    ],
)
def test_offensive_language_is_flagged_with_the_word(text):
    result = check(text)
    assert not result.ok
    assert result.reasons[0].startswith("Offensive language: “")


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe and Penistone teams assess the classic cocktail menu together.",
        "Our analysts passed the Essex audit with a glass of grapefruit juice.",
        "Therapists and shiitake growers love our button-free checkout.",
    ],
)
def test_words_that_contain_a_swear_word_are_not_flagged(text):
    assert check(text).ok, check(text).reasons


def test_a_banned_topic_is_flagged_as_a_whole_word_in_any_case():
    result = check("Crypto is back, and CRYPTO traders are excited about it.", banned_topics=["crypto"])
    assert result.reasons == ["Mentions “crypto”, which the brand has banned."]


def test_a_banned_topic_is_not_found_inside_a_longer_word():
    assert check("Cryptography keeps every payment safe for our customers.", banned_topics=["crypto"]).ok


def test_a_banned_phrase_matches_across_spaces_hyphens_and_plurals():
    banned = ["competitor pricing", "layoff"]
    assert not check("Our competitor-pricing page is live for all teams.", banned_topics=banned).ok
    assert not check("Layoffs hit the sector again this week, sadly.", banned_topics=banned).ok
    assert check("Competitor news and pricing updates for all teams.", banned_topics=banned).ok


def test_banned_topics_may_be_missing_on_the_brand():
    assert copy_check(text="We love crypto and everything about it.", brand=SimpleNamespace()).ok


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The election results will shape the market for years.", "politics and elections"),
        ("Church leaders weigh in on the new payment rules.", "religion"),
        ("The abortion debate reaches the boardroom this week.", "abortion"),
        ("Gun control is back on the agenda in the capital.", "guns"),
        ("The war has disrupted supply chains across the region.", "war and armed conflict"),
        ("Immigration rules are changing for tech workers.", "immigration"),
    ],
)
def test_a_controversial_topic_is_flagged_and_named(text, topic):
    result = check(text)
    assert not result.ok
    assert any(f"controversial topic ({topic}:" in reason for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Our warranty covers every device for three years, no questions asked.",
        "Our price war with legacy banks is over; the war room is now a design studio.",
        "Don't jump the gun on the new rules; the smoking gun is in the data.",
        "We woke up to great news: awareness of fraud is rising among customers.",
        "Heroines of finance: five leaders to follow this year, chosen by our team.",
        "Our 24/7 support team is here for all of our customers.",
    ],
)
def test_everyday_words_and_idioms_are_not_controversial(text):
    result = check(text)
    assert not any("controversial" in reason for reason in result.reasons), result.reasons


def test_empty_copy_is_rejected():
    assert check("").reasons == ["The copy is empty."]
    assert check("   \n ").reasons == ["The copy is empty."]


@pytest.mark.parametrize(
    "text",
    [
        "!!!!!!! $$$$ 1234 5678 #### %%%% 9999 &&&& 0000",
        "ok",
        "great great great great news for everyone",
        "Soooooooooo excited about this launch for everyone",
    ],
)
def test_garbage_is_rejected(text):
    assert not check(text).ok


@pytest.mark.parametrize(
    "text",
    [
        "As an AI language model, I cannot write posts about this topic.",
        "I'm sorry, but I can't help with that request.",
        "Sure! Here's a LinkedIn post about the new payment rules:\n\nBig news today for banks.",
        "Here is a post for X about instant payments:\n\nInstant payments are here for everyone.",
    ],
)
def test_a_model_talking_about_the_task_is_rejected(text):
    result = check(text)
    assert any("AI model talking about the task" in reason for reason in result.reasons), result.reasons


def test_a_post_that_announces_its_own_thread_is_fine():
    assert check("Here's a thread on what changes for finance teams 🧵").ok


@pytest.mark.parametrize(
    ("text", "placeholder"),
    [
        ("Our focus: {pillar}. What do you think about the news?", "{pillar}"),
        ("Read the full story at [insert link] and tell us more.", "[insert link]"),
        ("At [Your Company Name], we believe in instant payments.", "[Your Company Name]"),
        ("Big news from {{ brand }} today for every finance team.", "{{ brand }}"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "Lorem ipsum"),
    ],
)
def test_leftover_placeholders_are_rejected_and_quoted(text, placeholder):
    result = check(text)
    assert any("leftover placeholders" in reason and placeholder in reason for reason in result.reasons), (
        result.reasons
    )


def test_every_problem_gets_its_own_reason():
    result = check("As an AI, I think the election is bullshit. {pillar}", banned_topics=["election"])
    assert len(result.reasons) == 5
