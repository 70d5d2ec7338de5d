"""Live feed events: sent after commit, only for public visible memes, as fragments htmx swaps in."""

import pytest

from apps.memes import events, generation, services
from tests.factories import StaffFactory, UserFactory


def make(template, user, texts=("top text", "bottom text"), *, is_public=True):
    spec = generation.spec_from_input(template=template, texts=list(texts))
    meme, _ = services.meme_create(user=user, spec=spec, size="medium", is_public=is_public)
    return meme


@pytest.fixture
def sent(monkeypatch):
    """Every group message the events send, as (group, message)."""
    messages = []

    class Layer:
        async def group_send(self, group, message):
            messages.append((group, message))

    monkeypatch.setattr(events, "get_channel_layer", Layer)
    return messages


def test_a_new_public_meme_is_sent_once_as_a_card_for_the_top_of_the_latest_list(
    starter, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meme = make(starter["this-is-fine"], UserFactory(), ("hello", "feed"))

    assert len(sent) == 1
    group, message = sent[0]
    assert group == events.FEED_GROUP == "memes.feed"
    assert (message["type"], message["kind"], message["meme"]) == ("feed.event", "published", meme.pk)
    for key in ("html", "html_anon", "html_staff"):
        html = message[key]
        assert html.strip().startswith('<div id="feed-latest" hx-swap-oob="afterbegin">')
        assert f'id="meme-{meme.pk}"' in html and "hello / feed" in html
        assert 'aria-pressed="true"' not in html  # nobody's own state in a shared fragment
    assert "/accounts/login/?next=/memes/" in message["html_anon"] and "hx-post" not in message["html_anon"]
    assert f'hx-post="/memes/{meme.pk}/vote"' in message["html"] and "Staff actions" not in message["html"]
    assert "Staff actions" in message["html_staff"]
    assert "csrfmiddlewaretoken" not in message["html"]


def test_nothing_is_sent_before_commit_or_for_a_rolled_back_meme(
    starter, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make(starter["this-is-fine"], UserFactory())
    assert callbacks and sent == []


@pytest.mark.parametrize("case", ["private", "flagged"])
def test_private_and_flagged_memes_are_never_sent(starter, sent, django_capture_on_commit_callbacks, case):
    with django_capture_on_commit_callbacks(execute=True):
        if case == "private":
            meme = make(starter["this-is-fine"], UserFactory(), is_public=False)
        else:
            meme = make(starter["this-is-fine"], UserFactory(), ("you are a fucking idiot", ""))
        services.meme_vote(meme=meme, user=meme.owner, value=1)
    assert sent == []
    # Called directly (say, by a late task), the events re-read the meme and still send nothing.
    events.meme_published(meme.pk)
    events.meme_counts_changed(meme.pk)
    assert sent == []


def test_a_vote_sends_only_the_counters_swapped_by_id(starter, sent, django_capture_on_commit_callbacks):
    meme = make(starter["this-is-fine"], UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_vote(meme=meme, user=UserFactory(), value=1)
        services.meme_react(meme=meme, user=UserFactory(), emoji="fire", on=True)

    assert [m["kind"] for _, m in sent] == ["counts", "counts"]
    html = sent[-1][1]["html"]
    assert f'id="meme-{meme.pk}-score" hx-swap-oob="true"' in html and ">1</span>" in html
    assert f'id="meme-{meme.pk}-react-fire" hx-swap-oob="true">1</span>' in html
    assert f'id="meme-{meme.pk}-react-laugh" hx-swap-oob="true"></span>' in html
    assert "<button" not in html and "meme-card" not in html  # the viewer's own buttons stay


def test_hiding_a_meme_removes_its_card_and_tells_the_detail_page(
    starter, sent, django_capture_on_commit_callbacks
):
    meme = make(starter["this-is-fine"], UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_moderate(meme=meme, user=StaffFactory(), action="hide")

    [(_, message)] = sent
    assert message["kind"] == "removed"
    assert f'<article id="meme-{meme.pk}" hx-swap-oob="delete">' in message["html"]
    assert f'id="meme-detail-{meme.pk}" hx-swap-oob="true"' in message["html"]
    assert "This meme was removed" in message["html"]

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_moderate(meme=meme, user=StaffFactory(), action="show")
    assert [m["kind"] for _, m in sent] == ["published"]


def test_deleting_a_meme_removes_its_card(starter, sent, django_capture_on_commit_callbacks):
    meme = make(starter["this-is-fine"], UserFactory())
    meme_id = meme.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.meme_delete(meme=meme, user=meme.owner)
    assert [(m["kind"], m["meme"]) for _, m in sent] == [("removed", meme_id)]


def test_a_removal_is_not_sent_for_a_meme_that_is_visible_again(starter, sent):
    meme = make(starter["this-is-fine"], UserFactory())
    events.meme_removed(meme.pk)
    assert sent == []


def test_a_channel_layer_failure_is_logged_not_raised(
    starter, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(events, "get_channel_layer", Broken)
    with django_capture_on_commit_callbacks(execute=True):
        meme = make(starter["this-is-fine"], UserFactory())
    assert meme.pk
    assert any(r.message == "memes.live_event_failed" for r in caplog.records)
