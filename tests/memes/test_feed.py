"""The meme feed pages: Latest and Trending, a meme's page, votes and reactions from the page, the
owner's and staff's actions, and the staff moderation page."""

import re

import pytest
from django.urls import reverse

from apps.memes import generation, services, trending
from apps.memes.models import Meme, MemeReaction, MemeTemplate, MemeVote
from apps.notifications.models import Notification
from tests.factories import StaffFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/memes/"}


def make(template, user, texts=("top text", "bottom text"), *, is_public=True, **kwargs):
    spec = generation.spec_from_input(template=template, texts=list(texts), **kwargs)
    meme, _ = services.meme_create(user=user, spec=spec, size="medium", is_public=is_public)
    return meme


@pytest.fixture
def author(db):
    return UserFactory(display_name="Meme Author")


@pytest.fixture
def public_meme(starter, author):
    return make(starter["this-is-fine"], author, ("when the build", "is green"))


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="meme-card[^"]*" id="meme-(\d+)"', html)]


# --- Feed -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/memes/", "/memes/trending/"])
def test_feed_page_shows_no_template_comment_to_visitors(client, starter, author, path):
    make(starter["this-is-fine"], author, ("public", "one"))

    html = client.get(path).content.decode()

    assert "{#" not in html
    assert "#}" not in html


def test_anonymous_visitors_see_public_visible_memes_only(client, starter, author):
    public = make(starter["this-is-fine"], author, ("public", "one"))
    private = make(starter["this-is-fine"], author, ("private", "one"), is_public=False)
    hidden = make(starter["two-buttons"], author, ("hidden", "one"))
    services.meme_moderate(meme=hidden, user=StaffFactory(), action="hide")
    flagged = make(starter["two-buttons"], author, ("you are a fucking idiot", ""))
    assert flagged.moderation == Meme.Moderation.FLAGGED

    response = client.get("/memes/")

    assert response.status_code == 200
    html = response.content.decode()
    assert card_ids(html) == [public.pk]
    for other in (private, hidden, flagged):
        assert f'id="meme-{other.pk}"' not in html
    assert 'ws-connect="/ws/memes/feed/"' in html


def test_a_card_shows_the_image_with_size_captions_author_template_and_counts(client, public_meme, author):
    html = client.get("/memes/").content.decode()
    ext = generation.EXTENSIONS[public_meme.format]
    assert f'src="/memes/r/{public_meme.cache_key}-medium.{ext}"' in html
    assert 'alt="Meme on “This is fine”: when the build / is green"' in html
    assert re.search(r'width="\d+" height="\d+" loading="lazy"', html)
    assert "Meme Author" in html and "/memes/make/?template=this-is-fine" in html
    assert f'id="meme-{public_meme.pk}-score"' in html
    assert html.count(f'id="meme-{public_meme.pk}-react-') == 6


def test_anonymous_vote_and_reaction_buttons_link_to_login_with_next(client, public_meme):
    html = client.get("/memes/").content.decode()
    assert "/accounts/login/?next=/memes/" in html
    assert 'hx-post="/memes/' not in html
    assert "Staff actions" not in html


def test_members_get_their_own_vote_and_reactions_pressed(client, public_meme, starter):
    voter = UserFactory()
    other = make(starter["two-buttons"], UserFactory(), ("another", "meme"))
    services.meme_vote(meme=public_meme, user=voter, value=1)
    services.meme_react(meme=public_meme, user=voter, emoji="fire", on=True)
    client.force_login(voter)

    html = client.get("/memes/").content.decode()

    first = html[html.index(f'id="meme-{public_meme.pk}"') :]
    second = html[html.index(f'id="meme-{other.pk}"') : html.index(f'id="meme-{public_meme.pk}"')]
    assert re.search(r'name="value" value="0" aria-pressed="true"', first)
    assert 'value="fire:off" aria-pressed="true"' in first
    assert 'aria-pressed="true"' not in second
    assert "Staff actions" not in html


def test_staff_get_a_hide_action_on_every_card(client, public_meme):
    client.force_login(StaffFactory())
    html = client.get("/memes/").content.decode()
    assert "Staff actions for meme" in html and 'value="hide"' in html


def test_the_feed_query_count_does_not_grow_with_the_number_of_memes(
    client, starter, author, django_assert_max_num_queries
):
    def wipe_trending():  # each trending read then rebuilds the set from the database alike
        redis = trending.redis_client()
        if redis is not None:
            redis.delete(trending._key(trending.ZSET))

    viewer = UserFactory()
    client.force_login(viewer)
    for i in range(3):
        meme = make(starter["this-is-fine"], author, (f"small {i}", "feed"))
        services.meme_vote(meme=meme, user=viewer, value=1)
    with django_assert_max_num_queries(8) as latest:
        assert len(card_ids(client.get("/memes/").content.decode())) == 3
    wipe_trending()
    with django_assert_max_num_queries(10) as hot:
        assert len(card_ids(client.get("/memes/trending/").content.decode())) == 3

    for i in range(9):
        meme = make(starter["two-buttons"], UserFactory(), (f"big {i}", "feed"))
        services.meme_react(meme=meme, user=viewer, emoji="laugh", on=True)
    with django_assert_max_num_queries(len(latest.captured_queries)):
        assert len(card_ids(client.get("/memes/").content.decode())) == 10
    wipe_trending()
    with django_assert_max_num_queries(len(hot.captured_queries)):
        assert len(card_ids(client.get("/memes/trending/").content.decode())) == 10


def test_latest_pages_with_load_more_before_an_id(client, starter, author):
    memes = [make(starter["this-is-fine"], author, (f"meme {i}", "x")) for i in range(12)]
    newest_first = [m.pk for m in reversed(memes)]

    html = client.get("/memes/").content.decode()
    assert card_ids(html) == newest_first[:10]
    more = re.search(r'hx-get="(/memes/\?before=(\d+))"', html)
    assert more and int(more.group(2)) == newest_first[9]

    page = client.get(more.group(1), **HTMX).content.decode()
    assert card_ids(page) == newest_first[10:]
    assert "<html" not in page
    assert 'id="feed-more" class="feed-more" hx-swap-oob="true"' in page
    assert "hx-get=" not in page  # nothing older left


def test_a_bad_before_id_is_a_clear_400(client, db):
    response = client.get("/memes/?before=abc")
    assert response.status_code == 400
    assert b"before must be a meme id" in response.content


def test_trending_orders_by_votes_and_explains_the_formula(client, starter, author):
    quiet = make(starter["this-is-fine"], author, ("quiet", "one"))
    loved = make(starter["two-buttons"], author, ("loved", "one"))
    newest = make(starter["galaxy-brain"], author, ("newest", "one"))
    for _ in range(5):
        services.meme_vote(meme=loved, user=UserFactory(), value=1)
    for _ in range(5):
        services.meme_vote(meme=newest, user=UserFactory(), value=-1)

    html = client.get("/memes/trending/").content.decode()

    ids = card_ids(html)
    assert ids[0] == loved.pk and set(ids) == {quiet.pk, loved.pk, newest.pk}
    assert ids.index(quiet.pk) < ids.index(newest.pk)
    assert 'id="feed-trending"' in html and 'id="feed-latest"' not in html
    assert "12.5 hours" in html


def test_trending_pages_are_validated(client, db):
    assert client.get("/memes/trending/?page=0").status_code == 400
    assert client.get("/memes/trending/?page=x").status_code == 400


def test_the_empty_feed_says_what_to_do(client, db):
    html = client.get("/memes/").content.decode()
    assert "No memes yet — make the first one" in html
    assert 'href="/memes/make/"' in html


def test_the_nav_links_to_the_feed_and_the_maker(client, db):
    assert 'href="/memes/">Memes' in client.get("/memes/").content.decode()
    client.force_login(UserFactory())
    html = client.get("/memes/").content.decode()
    assert 'href="/memes/" aria-current="page">Memes' in html
    assert 'href="/memes/make/"' in html


# --- Votes and reactions ----------------------------------------------------------------------------


def test_voting_needs_a_login(client, public_meme):
    response = client.post(f"/memes/{public_meme.pk}/vote", {"value": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(f"/memes/{public_meme.pk}/vote", {"value": "1"}, **HTMX)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fmemes%2F"
    trending_page = {**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver/memes/trending/?page=2&x=1"}
    response = client.post(f"/memes/{public_meme.pk}/react", {"emoji": "laugh:on"}, **trending_page)
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fmemes%2Ftrending%2F%3Fpage%3D2%26x%3D1"
    assert MemeVote.objects.count() == 0


def test_a_vote_counts_once_and_returns_the_voters_own_partial(client, public_meme):
    voter = UserFactory()
    client.force_login(voter)
    for _ in range(2):
        response = client.post(f"/memes/{public_meme.pk}/vote", {"value": "1"}, **HTMX)
        assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<form class="meme-vote" id="meme-{public_meme.pk}-vote"')
    assert f'id="meme-{public_meme.pk}-score"' in html and ">1</span>" in html
    assert 'value="0" aria-pressed="true"' in html  # pressing ▲ again takes the vote back
    public_meme.refresh_from_db()
    assert (public_meme.up_votes, public_meme.score, MemeVote.objects.count()) == (1, 1, 1)

    client.post(f"/memes/{public_meme.pk}/vote", {"value": "0"}, **HTMX)
    public_meme.refresh_from_db()
    assert public_meme.score == 0 and MemeVote.objects.count() == 0


def test_a_vote_without_htmx_goes_back_to_the_page(client, public_meme):
    client.force_login(UserFactory())
    response = client.post(f"/memes/{public_meme.pk}/vote", {"value": "-1", "next": "/memes/"})
    assert response.status_code == 302 and response["Location"] == "/memes/"
    response = client.post(f"/memes/{public_meme.pk}/vote", {"value": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/memes/{public_meme.pk}/"


@pytest.mark.parametrize("value", ["2", "", "up", "1.0"])
def test_a_bad_vote_value_is_a_400_with_a_message(client, public_meme, value):
    client.force_login(UserFactory())
    response = client.post(f"/memes/{public_meme.pk}/vote", {"value": value}, **HTMX)
    assert response.status_code == 400 and b"value must be 1" in response.content


def test_a_reaction_turns_on_once_and_off_again(client, public_meme):
    client.force_login(UserFactory())
    for _ in range(2):
        response = client.post(f"/memes/{public_meme.pk}/react", {"emoji": "laugh:on"}, **HTMX)
    html = response.content.decode()
    assert 'value="laugh:off" aria-pressed="true"' in html
    assert f'id="meme-{public_meme.pk}-react-laugh">1</span>' in html
    assert MemeReaction.objects.count() == 1

    client.post(f"/memes/{public_meme.pk}/react", {"emoji": "laugh:off"}, **HTMX)
    public_meme.refresh_from_db()
    assert public_meme.reactions == {} and MemeReaction.objects.count() == 0


@pytest.mark.parametrize("emoji", ["poop:on", "", "laugh:maybe"])
def test_a_bad_reaction_is_a_400(client, public_meme, emoji):
    client.force_login(UserFactory())
    response = client.post(f"/memes/{public_meme.pk}/react", {"emoji": emoji}, **HTMX)
    assert response.status_code == 400


def test_votes_and_reactions_on_someone_elses_private_meme_are_404(client, starter, author):
    private = make(starter["this-is-fine"], author, ("secret", "meme"), is_public=False)
    client.force_login(UserFactory())
    assert client.post(f"/memes/{private.pk}/vote", {"value": "1"}, **HTMX).status_code == 404
    assert client.post(f"/memes/{private.pk}/react", {"emoji": "laugh:on"}, **HTMX).status_code == 404
    assert client.post("/memes/999999/vote", {"value": "1"}, **HTMX).status_code == 404


def test_votes_need_post(client, public_meme):
    client.force_login(UserFactory())
    assert client.get(f"/memes/{public_meme.pk}/vote").status_code == 405


# --- Detail page ------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_meme_downloads_and_live_socket(client, public_meme):
    html = client.get(f"/memes/{public_meme.pk}/").content.decode()
    ext = generation.EXTENSIONS[public_meme.format]
    assert f'id="meme-detail-{public_meme.pk}"' in html
    for size in ("thumbnail", "medium", "full"):
        assert (
            f'href="/memes/r/{public_meme.cache_key}-{size}.{ext}" download="meme-{public_meme.pk}-{size}.{ext}"'
            in html
        )
    assert "when the build" in html and "/memes/make/?template=this-is-fine" in html
    assert 'ws-connect="/ws/memes/feed/"' in html
    assert "Delete…" not in html


def test_a_private_meme_is_404_for_others_and_visible_to_its_owner(client, starter, author):
    private = make(starter["this-is-fine"], author, ("secret", "meme"), is_public=False)
    assert client.get(f"/memes/{private.pk}/").status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/memes/{private.pk}/").status_code == 404
    client.force_login(author)
    html = client.get(f"/memes/{private.pk}/").content.decode()
    assert "Only you can see this meme" in html and "Make it public" in html and "Delete…" in html


def test_hidden_and_flagged_memes_are_404_for_the_public_and_shown_to_staff(client, starter, author):
    flagged = make(starter["two-buttons"], author, ("you are a fucking idiot", ""))
    assert client.get(f"/memes/{flagged.pk}/").status_code == 404
    client.force_login(StaffFactory())
    html = client.get(f"/memes/{flagged.pk}/").content.decode()
    assert "Waiting for a staff review" in html and "Show in the feed" in html


def test_the_owner_makes_a_private_meme_public(client, starter, author):
    private = make(starter["this-is-fine"], author, ("going", "public"), is_public=False)
    client.force_login(author)
    response = client.post(f"/memes/{private.pk}/publish", follow=True)
    assert response.redirect_chain[-1][0] == f"/memes/{private.pk}/"
    assert "Your meme is in the public feed." in response.content.decode()
    private.refresh_from_db()
    assert private.is_public


def test_only_the_owner_can_publish_or_delete(client, starter, author, public_meme):
    private = make(starter["this-is-fine"], author, ("not", "yours"), is_public=False)
    client.force_login(UserFactory())
    assert client.post(f"/memes/{private.pk}/publish").status_code == 404
    assert client.post(f"/memes/{public_meme.pk}/delete").status_code == 404
    assert Meme.objects.filter(pk=public_meme.pk).exists()


def test_the_owner_deletes_their_meme(client, author, public_meme):
    client.force_login(author)
    response = client.post(f"/memes/{public_meme.pk}/delete")
    assert response.status_code == 302 and response["Location"] == "/memes/"
    assert not Meme.objects.filter(pk=public_meme.pk).exists()


# --- Moderation -------------------------------------------------------------------------------------


def test_the_moderation_page_is_for_staff_only(client, db):
    response = client.get("/memes/moderation/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get("/memes/moderation/").status_code == 404
    assert client.post("/memes/1/moderate", {"action": "hide"}).status_code == 404


def test_the_moderation_page_lists_flagged_pending_and_hidden(client, starter, author, public_meme):
    flagged = make(starter["two-buttons"], author, ("you are a fucking idiot", ""))
    staff = StaffFactory()
    services.meme_moderate(meme=public_meme, user=staff, action="hide", reason="Spam.")
    pending = MemeTemplate.objects.create(
        name="My cat",
        slug="my-cat",
        status=MemeTemplate.Status.PENDING,
        uploaded_by=author,
        width=10,
        height=10,
    )
    client.force_login(staff)

    html = client.get("/memes/moderation/").content.decode()

    assert f'id="flagged-{flagged.pk}"' in html and "Offensive language" in html
    assert f'id="pending-{pending.pk}"' in html and "My cat" in html
    assert 'src="/memes/t/my-cat.' in html
    assert f'id="hidden-{public_meme.pk}"' in html and "Spam." in html


def test_staff_hide_a_meme_from_a_card_and_it_leaves_the_feed(client, public_meme):
    client.force_login(StaffFactory())
    response = client.post(
        f"/memes/{public_meme.pk}/moderate",
        {"action": "hide", "from": "card", "reason": "Off topic."},
        **HTMX,
    )
    assert response.status_code == 200 and response.content == b""
    public_meme.refresh_from_db()
    assert (public_meme.moderation, public_meme.moderation_reason) == ("hidden", "Off topic.")
    client.logout()
    assert card_ids(client.get("/memes/").content.decode()) == []


def test_staff_show_a_flagged_meme_from_the_moderation_page(client, starter, author):
    flagged = make(starter["two-buttons"], author, ("you are a fucking idiot", ""))
    client.force_login(StaffFactory())
    response = client.post(f"/memes/{flagged.pk}/moderate", {"action": "show", "next": "/memes/moderation/"})
    assert response.status_code == 302 and response["Location"] == "/memes/moderation/"
    flagged.refresh_from_db()
    assert flagged.moderation == Meme.Moderation.VISIBLE


def test_a_bad_moderation_action_is_a_400(client, public_meme):
    client.force_login(StaffFactory())
    response = client.post(f"/memes/{public_meme.pk}/moderate", {"action": "explode"})
    assert response.status_code == 400 and b"hide or show" in response.content


def test_staff_approve_and_reject_uploaded_templates_and_the_uploader_is_told(client, starter, author, media):
    def pending(slug):
        return MemeTemplate.objects.create(
            name=slug, slug=slug, status=MemeTemplate.Status.PENDING, uploaded_by=author, width=10, height=10
        )

    good, bad = pending("good-one"), pending("bad-one")
    client.force_login(StaffFactory())

    client.post(reverse("memes:template_review", args=[good.pk]), {"decision": "approve"})
    client.post(reverse("memes:template_review", args=[bad.pk]), {"decision": "reject", "note": "Blurry."})

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "approved"
    assert (bad.status, bad.review_note) == ("rejected", "Blurry.")
    titles = set(Notification.objects.filter(user=author).values_list("title", flat=True))
    assert any("was approved" in t for t in titles) and any("was not approved" in t for t in titles)
    response = client.post(reverse("memes:template_review", args=[good.pk]), {"decision": "approve"})
    assert response.status_code == 404  # no longer pending
    response = client.post(reverse("memes:template_review", args=[pending("x").pk]), {"decision": "maybe"})
    assert response.status_code == 400


def test_the_admin_hide_action_goes_through_the_moderation_service(
    client, public_meme, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.memes import events

    removed = []
    monkeypatch.setattr(events, "meme_removed", removed.append)
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/memes/meme/", {"action": "hide", "_selected_action": [public_meme.pk]}, follow=True
        )
    assert response.status_code == 200
    public_meme.refresh_from_db()
    assert public_meme.moderation == "hidden" and removed == [public_meme.pk]


def test_the_admin_reject_action_tells_the_uploader(client, author):
    template = MemeTemplate.objects.create(
        name="Upload",
        slug="upload",
        status=MemeTemplate.Status.PENDING,
        uploaded_by=author,
        width=10,
        height=10,
    )
    client.force_login(StaffFactory(is_superuser=True))
    client.post("/admin/memes/memetemplate/", {"action": "reject", "_selected_action": [template.pk]})
    template.refresh_from_db()
    assert template.status == "rejected"
    assert Notification.objects.filter(user=author, title__contains="was not approved").exists()


# --- Demo data --------------------------------------------------------------------------------------


def test_demo_memes_fill_the_feed_once(client, db, media):
    from io import StringIO

    from apps.demo.management.commands.seed_demo import DEMO_MEMES, seed_memes, seed_users

    users = seed_users(StringIO())
    seed_memes(StringIO(), users)
    counts = (Meme.objects.count(), MemeVote.objects.count(), MemeReaction.objects.count())
    seed_memes(StringIO(), users)

    assert (Meme.objects.count(), MemeVote.objects.count(), MemeReaction.objects.count()) == counts
    assert counts[0] == len(DEMO_MEMES) and counts[1] > 5 and counts[2] > 5
    assert Meme.objects.filter(format="gif", template__is_animated=True).exists()
    html = client.get("/memes/").content.decode()
    assert len(card_ids(html)) == len(DEMO_MEMES)
    assert client.get("/memes/trending/").status_code == 200
