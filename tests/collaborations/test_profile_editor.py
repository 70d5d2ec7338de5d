"""The influencer profile editor: each field saves, bad input is refused whole, access by role."""

import io

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.collaborations.models import InfluencerProfile
from apps.collaborations.services import influencer_set_follower_count
from tests.collaborations.conftest import png_bytes, png_claiming, png_upload
from tests.factories import InfluencerFactory

pytestmark = pytest.mark.django_db

EDIT_URL = reverse("collaborations:profile_edit")


def form_data(**overrides):
    data = {
        "display_name": "Ivy Chen",
        "handle": "ivy-chen",
        "bio": "I write about payments for finance teams.",
        "audience_roles": "CFOs, Founders",
        "audience_industries": "Fintech",
        "audience_geographies": "UK, DACH",
        "is_public": "on",
        "followers_x": "",
        "followers_linkedin": "",
        "followers_instagram": "",
        "followers_tiktok": "",
        "followers_youtube": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def signed_in(client, influencer):
    client.force_login(influencer)
    return client


def reload(profile) -> InfluencerProfile:
    return InfluencerProfile.objects.get(pk=profile.pk)


# --- Saving -------------------------------------------------------------------------------------


def test_first_visit_creates_the_profile_and_shows_the_editor(signed_in, influencer):
    response = signed_in.get(EDIT_URL)
    assert response.status_code == 200
    profile = InfluencerProfile.objects.get(user=influencer)
    assert profile.is_public
    assert b"Your influencer profile" in response.content
    assert reverse("collaborations:public_profile", args=[profile.slug]).encode() in response.content


def test_saving_stores_bio_tags_and_visibility_and_says_so(signed_in, profile):
    response = signed_in.post(EDIT_URL, form_data(is_public=None), follow=True)
    assert b"Your profile is saved." in response.content
    profile = reload(profile)
    assert profile.bio == "I write about payments for finance teams."
    assert profile.audience_roles == ["CFOs", "Founders"]
    assert profile.audience_industries == ["Fintech"]
    assert profile.audience_geographies == ["UK", "DACH"]
    assert profile.is_public is False


def test_saving_stores_typed_follower_counts_as_unverified(signed_in, profile):
    signed_in.post(EDIT_URL, form_data(followers_x="1200", followers_youtube="35000"))
    counts = reload(profile).follower_counts
    assert counts["x"]["count"] == 1200
    assert counts["x"]["verified"] is False
    assert counts["youtube"]["count"] == 35000
    assert "linkedin" not in counts
    assert reload(profile).total_followers == 36200


def test_counts_may_be_typed_with_thousands_separators(signed_in, profile):
    signed_in.post(EDIT_URL, form_data(followers_x="12,500", followers_linkedin="3 400"))
    counts = reload(profile).follower_counts
    assert (counts["x"]["count"], counts["linkedin"]["count"]) == (12500, 3400)


def test_emptying_a_typed_count_sets_it_to_zero(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="tiktok", count=900)
    signed_in.post(EDIT_URL, form_data(followers_tiktok=""))
    assert reload(profile).follower_counts["tiktok"]["count"] == 0


def test_unchanged_counts_are_not_rewritten(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="x", count=50)
    stamp = reload(profile).follower_counts["x"]["updated_at"]
    signed_in.post(EDIT_URL, form_data(followers_x="50"))
    assert reload(profile).follower_counts["x"]["updated_at"] == stamp


def test_a_bio_of_1000_characters_with_line_breaks_fits(signed_in, profile):
    # Browsers send a line break as CRLF but count it as one character, and so do we.
    bio = ("x" * 99 + "\r\n") * 10
    response = signed_in.post(EDIT_URL, form_data(bio=bio))
    assert response.status_code == 302
    assert len(reload(profile).bio) == 999  # the last line break is trimmed


def test_uploading_a_photo_stores_it_re_encoded_and_serves_it(signed_in, profile, media_root):
    signed_in.post(EDIT_URL, {**form_data(), "photo": png_upload()})
    profile = reload(profile)
    assert profile.photo.name.startswith(f"influencers/{profile.user_id}/photo/photo")
    with profile.photo.open("rb") as f:
        assert Image.open(f).size == (64, 64)
    response = signed_in.get(reverse("collaborations:profile_photo", args=[profile.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_editor_previews_the_current_photo(signed_in, profile):
    signed_in.post(EDIT_URL, {**form_data(), "photo": png_upload()})
    response = signed_in.get(EDIT_URL)
    assert reverse("collaborations:profile_photo", args=[reload(profile).slug]).encode() in response.content
    assert b'name="remove_photo"' in response.content


def test_removing_the_photo_deletes_the_file(signed_in, profile, django_capture_on_commit_callbacks):
    signed_in.post(EDIT_URL, {**form_data(), "photo": png_upload()})
    stored = reload(profile).photo
    path = stored.path
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(EDIT_URL, form_data(remove_photo="on"))
    assert not reload(profile).photo
    assert not (stored.storage.exists(path))


# --- Refused input: the message next to the field, nothing saved ---------------------------------


def assert_nothing_saved(profile, before):
    after = reload(profile)
    assert after.bio == before.bio
    assert after.audience_roles == before.audience_roles
    assert after.follower_counts == before.follower_counts
    assert after.is_public == before.is_public
    assert after.photo.name == before.photo.name
    assert (after.slug, after.display_name) == (before.slug, before.display_name)


def field_error(response, field: str) -> str:
    """The text of the error list rendered next to `field` (empty if none)."""
    html = response.content.decode()
    marker = f'id="id_{field}_error"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</ul>", start)]


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"bio": "a" * 1001}, "bio", "at most 1000 characters"),
        ({"audience_roles": ", ".join(f"role {i}" for i in range(21))}, "audience_roles", "At most 20 tags"),
        ({"audience_geographies": "x" * 61}, "audience_geographies", "60 characters"),
        ({"followers_x": "-5"}, "followers_x", "cannot be negative"),
        ({"followers_linkedin": "lots"}, "followers_linkedin", "like 12400, 12,400, 25k or 1.2M"),
        ({"followers_linkedin": "12.4"}, "followers_linkedin", "like 12400, 12,400, 25k or 1.2M"),
        ({"handle": "Ivy Chen!"}, "handle", "letters, digits and hyphens"),
        ({"display_name": " "}, "display_name", "the name brands will see"),
        ({"followers_youtube": "3000000000"}, "followers_youtube", "up to 2 billion"),
    ],
)
def test_invalid_fields_show_errors_next_to_them_and_save_nothing(
    signed_in, profile, overrides, field, message
):
    before = reload(profile)
    # Every other field carries a change too: none of it may be saved.
    response = signed_in.post(EDIT_URL, form_data(**{"followers_tiktok": "77", **overrides}))
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert b"Nothing was saved yet." in response.content
    assert_nothing_saved(profile, before)


@pytest.mark.parametrize(
    "upload,message",
    [
        (
            SimpleUploadedFile("me.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
            "not an image",
        ),
        (SimpleUploadedFile("me.png", b"this is not a picture", "image/png"), "not an image"),
        (SimpleUploadedFile("me.png", b"\x89PNG" + b"0" * (6 * 1024 * 1024), "image/png"), "limit is 5 MB"),
        (SimpleUploadedFile("bomb.png", png_claiming(40000, 40000), "image/png"), "decompression bomb"),
    ],
    ids=["svg", "not-an-image", "6-mb", "decompression-bomb"],
)
def test_bad_uploads_are_refused_next_to_the_photo_and_save_nothing_else(
    signed_in, profile, media_root, upload, message
):
    before = reload(profile)
    response = signed_in.post(
        EDIT_URL, {**form_data(bio="A new bio that must not be saved", followers_x="10"), "photo": upload}
    )
    assert response.status_code == 200
    assert message in field_error(response, "photo")
    assert_nothing_saved(profile, before)
    assert not [p for p in media_root.rglob("*") if p.is_file()]  # no file left behind either


def test_a_bad_upload_keeps_the_current_photo(signed_in, profile):
    signed_in.post(EDIT_URL, {**form_data(), "photo": png_upload()})
    before = reload(profile)
    svg = SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    signed_in.post(EDIT_URL, {**form_data(remove_photo="on"), "photo": svg})
    after = reload(profile)
    assert after.photo.name == before.photo.name
    assert after.photo.storage.exists(after.photo.name)


def test_a_gif_is_refused_with_the_formats_named(signed_in, profile):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    response = signed_in.post(
        EDIT_URL, {**form_data(), "photo": SimpleUploadedFile("a.gif", buf.getvalue(), "image/gif")}
    )
    assert "PNG, JPEG or WebP" in field_error(response, "photo")


# --- Verified counts ----------------------------------------------------------------------------


def test_a_verified_count_is_shown_read_only_and_the_form_cannot_overwrite_it(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="x", count=4200, verified=True)
    page = signed_in.get(EDIT_URL).content.decode()
    assert "✓ Verified" in page
    assert 'name="followers_x"' in page
    row = page[page.index('id="follower-row-x"') : page.index('id="follower-row-linkedin"')]
    assert " disabled" in row

    response = signed_in.post(EDIT_URL, form_data(followers_x="999999"))
    assert response.status_code == 302
    assert reload(profile).follower_counts["x"]["count"] == 4200
    assert reload(profile).follower_counts["x"]["verified"] is True


def test_a_verified_count_cannot_be_overwritten_inline(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="x", count=4200, verified=True)
    response = signed_in.post(
        reverse("collaborations:follower_count_save", args=["x"]),
        {"followers_x": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert "cannot be typed over" in response.content.decode()
    assert reload(profile).follower_counts["x"]["count"] == 4200


def test_typed_counts_are_marked_unverified_entered_by_you(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="linkedin", count=300)
    row = signed_in.get(EDIT_URL).content.decode()
    row = row[row.index('id="follower-row-linkedin"') : row.index('id="follower-row-instagram"')]
    assert "Unverified" in row and "entered by you" in row
    assert "hx-post" in row


def test_a_linked_x_account_fills_in_a_verified_count(signed_in, influencer, profile):
    SocialAccount.objects.create(
        user=influencer,
        provider="twitter_oauth2",
        uid="42",
        extra_data={"id": "42", "username": "ivy_writes", "public_metrics": {"followers_count": 5150}},
    )
    influencer_set_follower_count(profile=profile, platform="x", count=10)
    page = signed_in.get(EDIT_URL).content.decode()
    assert reload(profile).follower_counts["x"]["count"] == 5150
    assert reload(profile).follower_counts["x"]["verified"] is True
    assert "@ivy_writes" in page
    assert "https://x.com/ivy_writes" in page


# --- Inline (HTMX) follower counts --------------------------------------------------------------


def test_inline_save_returns_the_row_and_the_new_total(signed_in, profile):
    influencer_set_follower_count(profile=profile, platform="youtube", count=1000)
    response = signed_in.post(
        reverse("collaborations:follower_count_save", args=["instagram"]),
        {"followers_instagram": "2500"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="follower-row-instagram"' in html
    assert "Saved" in html
    assert 'id="follower-total" hx-swap-oob="true"' in html
    assert "3,500" in html
    assert "<html" not in html
    saved = reload(profile).follower_counts["instagram"]
    assert (saved["count"], saved["verified"]) == (2500, False)


def test_inline_save_shows_the_error_in_the_row(signed_in, profile):
    response = signed_in.post(
        reverse("collaborations:follower_count_save", args=["tiktok"]),
        {"followers_tiktok": "lots"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert "like 12400, 12,400, 25k or 1.2M" in html
    assert 'value="lots"' in html
    assert "tiktok" not in reload(profile).follower_counts


def test_inline_save_works_without_javascript(signed_in, profile):
    response = signed_in.post(
        reverse("collaborations:follower_count_save", args=["x"]), {"followers_x": "77"}, follow=True
    )
    assert response.redirect_chain[-1][0] == EDIT_URL
    assert b"X follower count saved." in response.content
    assert reload(profile).follower_counts["x"]["count"] == 77


def test_inline_save_of_an_unknown_platform_is_404(signed_in, profile):
    response = signed_in.post(
        reverse("collaborations:follower_count_save", args=["myspace"]), {"followers_myspace": "1"}
    )
    assert response.status_code == 404


# --- Access and queries -------------------------------------------------------------------------


def test_a_brand_user_cannot_open_the_editor(client, brand_user):
    client.force_login(brand_user)
    response = client.get(EDIT_URL)
    assert response.status_code == 403
    assert b"influencer accounts" in response.content
    assert not InfluencerProfile.objects.filter(user=brand_user).exists()


def test_a_brand_user_cannot_save_a_follower_count(client, brand_user):
    client.force_login(brand_user)
    response = client.post(reverse("collaborations:follower_count_save", args=["x"]), {"followers_x": "5"})
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(EDIT_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_editor_query_count_does_not_grow_with_the_data(
    signed_in, influencer, profile, django_assert_max_num_queries
):
    for i in range(5):
        SocialAccount.objects.create(
            user=influencer, provider="linkedin", uid=f"li-{i}", extra_data={"userinfo": {"name": f"Ivy {i}"}}
        )
    for platform in ("linkedin", "instagram", "tiktok", "youtube"):
        influencer_set_follower_count(profile=profile, platform=platform, count=100)
    signed_in.post(EDIT_URL, form_data(audience_roles=", ".join(f"r{i}" for i in range(20))))
    # session, user, profile, linked accounts, messages' session write at most; the accounts reposts
    # go out from, synced from the linked ones (read both, and this first time record the LinkedIn one)
    with django_assert_max_num_queries(9):
        response = signed_in.get(EDIT_URL)
    assert response.status_code == 200


def test_a_full_save_is_a_bounded_number_of_queries(signed_in, profile, django_assert_max_num_queries):
    data = form_data(
        handle=profile.slug,
        followers_x="1",
        followers_linkedin="2",
        followers_instagram="3",
        followers_tiktok="4",
        followers_youtube="5",
    )
    # One write per platform count: bounded by the five platforms, not by the data.
    with django_assert_max_num_queries(14):
        response = signed_in.post(EDIT_URL, {**data, "photo": SimpleUploadedFile("a.png", png_bytes())})
    assert response.status_code == 302


# --- Follower counts as people type them ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed,count",
    [
        ("12,400", 12_400),
        ("12.400", 12_400),
        ("12 400", 12_400),
        ("25k", 25_000),
        ("25K", 25_000),
        ("1.2M", 1_200_000),
        ("1,2M", 1_200_000),
        ("12.5k", 12_500),
    ],
)
def test_common_ways_of_writing_a_follower_count_are_accepted(signed_in, profile, typed, count):
    response = signed_in.post(EDIT_URL, form_data(followers_linkedin=typed))
    assert response.status_code == 302
    assert reload(profile).follower_counts["linkedin"]["count"] == count


def test_inline_save_accepts_25k(signed_in, profile):
    signed_in.post(
        reverse("collaborations:follower_count_save", args=["x"]),
        {"followers_x": "25k"},
        HTTP_HX_REQUEST="true",
    )
    assert reload(profile).follower_counts["x"]["count"] == 25_000


# --- A failed save keeps what was entered, the photo too ------------------------------------------


def token_in(response) -> str:
    html = response.content.decode()
    marker = 'name="photo_token" value="'
    assert marker in html, "the form carries no token for the photo chosen"
    return html.split(marker, 1)[1].split('"', 1)[0]


def test_a_failed_save_shows_every_valid_field_again(signed_in, profile):
    response = signed_in.post(EDIT_URL, form_data(followers_x="lots", bio="Payments for CFOs."))
    html = response.content.decode()
    assert "Payments for CFOs.</textarea>" in html
    assert 'value="Ivy Chen"' in html and 'value="ivy-chen"' in html
    assert "CFOs" in html and "Fintech" in html


def test_a_valid_photo_is_kept_across_a_failed_save(signed_in, profile, media_root):
    response = signed_in.post(EDIT_URL, {**form_data(followers_x="lots"), "photo": png_upload()})
    assert response.status_code == 200 and not reload(profile).photo
    assert 'src="data:image/png;base64,' in response.content.decode()  # the preview of the chosen photo
    token = token_in(response)
    # The count fixed and saved, without choosing the photo again.
    response = signed_in.post(EDIT_URL, {**form_data(followers_x="12,400"), "photo_token": token})
    assert response.status_code == 302
    saved = reload(profile)
    assert saved.photo and saved.follower_counts["x"]["count"] == 12_400
    assert not list(media_root.rglob("pending/*"))  # the held copy is gone once saved


def test_the_photo_stays_kept_through_a_second_failed_save(signed_in, profile):
    first = signed_in.post(EDIT_URL, {**form_data(followers_x="lots"), "photo": png_upload()})
    second = signed_in.post(EDIT_URL, {**form_data(followers_x="still lots"), "photo_token": token_in(first)})
    assert signed_in.post(EDIT_URL, {**form_data(), "photo_token": token_in(second)}).status_code == 302
    assert reload(profile).photo


def test_another_influencers_photo_token_is_ignored(client, signed_in, profile):
    other = InfluencerFactory()
    client.force_login(other)
    response = client.post(
        EDIT_URL, {**form_data(followers_x="lots", handle="other-one"), "photo": png_upload()}
    )
    token = token_in(response)
    signed_in.force_login(profile.user)
    signed_in.post(EDIT_URL, {**form_data(), "photo_token": token})
    assert not reload(profile).photo


def test_a_forged_photo_token_is_ignored(signed_in, profile):
    response = signed_in.post(EDIT_URL, {**form_data(), "photo_token": "influencers/1/pending/x.png"})
    assert response.status_code == 302 and not reload(profile).photo
