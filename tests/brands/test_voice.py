"""The voice profile computed from past posts."""

from apps.brands.voice import voice_profile_compute, voice_profile_summary

CASUAL = [
    "Hey folks! 🚀 We just shipped dark mode — you're gonna love it #buildinpublic #saas",
    "Big news for our community 🎉 Faster sync is live. Try it today! #buildinpublic",
    "Can't believe it's Friday already 😅 What are you shipping this weekend? #buildinpublic",
]
FORMAL = [
    "Our quarterly analysis indicates that institutional investors increasingly prioritise regulatory transparency.",
    "Regulatory transparency remains a fundamental consideration for institutional investors evaluating infrastructure.",
]


def test_profile_counts_emoji_hashtags_and_recurring_phrases():
    profile = voice_profile_compute(CASUAL)
    assert profile["samples"] == 3
    assert profile["emoji_per_post"] == 1.0
    assert profile["hashtags_per_post"] == round(4 / 3, 2)
    assert profile["top_hashtags"][0] == "#buildinpublic"
    assert profile["question_rate"] == round(1 / 3, 2)
    assert profile["formality_label"] == "casual"


def test_formal_posts_read_as_formal_and_share_phrases():
    profile = voice_profile_compute(FORMAL)
    assert profile["formality_label"] == "formal"
    assert profile["emoji_per_post"] == 0
    assert "institutional investors" in profile["recurring_phrases"]
    assert "regulatory transparency" in profile["recurring_phrases"]


def test_no_samples_no_profile():
    assert voice_profile_compute(["", "  "]) == {}
    assert voice_profile_summary({}) == []


def test_summary_says_it_in_words():
    lines = voice_profile_summary(voice_profile_compute(CASUAL))
    assert any("emoji per post" in line for line in lines)
    assert any("#buildinpublic" in line for line in lines)
