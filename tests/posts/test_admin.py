"""Posts in the admin: staff find a post by brand, status or words, see its copy, graphics and
history, and a copy fixed there is recorded in the history."""

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.posts.models import Post, PostCopy, PostEdit, PostGraphic, PostStatus
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(brand, trend):
    post = Post.objects.create(brand=brand, trend=trend, tone="friendly", status=PostStatus.DRAFT)
    PostCopy.objects.create(post=post, platform="x", parts=["Instant payments are here."], source="llm")
    PostGraphic.objects.create(
        post=post,
        kind="post_card",
        layout="split",
        source="template",
        full="g/1.png",
        width=1200,
        height=675,
        alt_text="A card about instant payments",
    )
    PostEdit.objects.create(post=post, field="status", before="draft", after="approved", note="first review")
    return post


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_post_is_registered_in_the_admin():
    assert admin.site.is_registered(Post)


def test_staff_find_posts_by_brand_name(staff_client, post):
    other = Post.objects.create(brand=BrandFactory(name="Other Co"), tone="bold")
    page = staff_client.get(reverse("admin:posts_post_changelist"), {"q": "Ledgerly"}).content.decode()
    assert f'href="/admin/posts/post/{post.pk}/change/' in page
    assert f'href="/admin/posts/post/{other.pk}/change/' not in page


def test_staff_filter_posts_by_brand_and_status(staff_client, post):
    Post.objects.create(brand=post.brand, tone="bold", status=PostStatus.REJECTED)
    url = reverse("admin:posts_post_changelist")
    response = staff_client.get(url, {"brand__id__exact": post.brand_id, "status__exact": "draft"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [post]


def test_a_posts_page_shows_its_copy_graphics_and_history(staff_client, post):
    page = staff_client.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    assert "Instant payments are here." in page
    assert "A card about instant payments" in page
    assert "first review" in page


def test_audit_fields_are_read_only(staff_client, post):
    form = staff_client.get(reverse("admin:posts_post_change", args=[post.pk])).context["adminform"].form
    for field in ("status", "created_by", "approved_by", "approved_at", "published_at", "learning_action"):
        assert field not in form.fields


def test_a_copy_fixed_in_the_admin_is_recorded_in_the_posts_history(staff_client, staff, post):
    copy = post.copies.get()
    graphic = post.graphics.get()
    data = {
        "brand": post.brand_id,
        "trend": post.trend_id,
        "post_format": "post",
        "tone": "friendly",
        "rejected_reason": "",
        "ab_parent": "",
        "variant_label": "",
        "generation_error": "",
        "copies-TOTAL_FORMS": 1,
        "copies-INITIAL_FORMS": 1,
        "copies-MIN_NUM_FORMS": 0,
        "copies-MAX_NUM_FORMS": 1000,
        "copies-0-id": copy.pk,
        "copies-0-post": post.pk,
        "copies-0-parts": '["Instant payments are here, finally."]',
        "copies-0-caption": "",
        "graphics-TOTAL_FORMS": 1,
        "graphics-INITIAL_FORMS": 1,
        "graphics-MIN_NUM_FORMS": 0,
        "graphics-MAX_NUM_FORMS": 1000,
        "graphics-0-id": graphic.pk,
        "graphics-0-post": post.pk,
        "graphics-0-alt_text": graphic.alt_text,
        "edits-TOTAL_FORMS": 1,
        "edits-INITIAL_FORMS": 1,
        "edits-MIN_NUM_FORMS": 0,
        "edits-MAX_NUM_FORMS": 1000,
        "edits-0-id": post.edits.get().pk,
        "edits-0-post": post.pk,
    }
    response = staff_client.post(reverse("admin:posts_post_change", args=[post.pk]), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    copy.refresh_from_db()
    assert copy.parts == ["Instant payments are here, finally."]
    edit = post.edits.get(field="copy")
    assert (edit.user, edit.platform) == (staff, "x")
    assert edit.before["parts"] == ["Instant payments are here."]
    assert edit.after["parts"] == ["Instant payments are here, finally."]


def test_the_admin_index_names_each_app_once(staff_client):
    page = staff_client.get(reverse("admin:index"))
    names = [app["name"] for app in page.context["app_list"]]
    assert len(names) == len(set(names)), names
    assert "Users and API tokens" in names and "Sign-in email addresses" in names


def test_favicon_ico_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    body = b"".join(response) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00" and len(body) < 10_000  # an ICO header, and small


def test_every_page_links_its_icon(client):
    page = client.get(reverse("landing")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.ico"' in page
