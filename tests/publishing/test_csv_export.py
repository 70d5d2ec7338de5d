"""CSV export of posts: the posts list's filters, the brand's clock, threads in text_2 …, cells
neutralised against formula injection, another brand's export a 404."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing.csv_export import csv_cell, csv_export_text

pytestmark = pytest.mark.django_db


def post(brand, *parts, platforms=("x",), status=PostStatus.DRAFT, post_format="post", at=None):
    p = Post.objects.create(
        brand=brand,
        tone="friendly",
        post_format=post_format,
        status=status,
        scheduled_for=at,
        origin="written",
    )
    for platform in platforms:
        PostCopy.objects.create(post=p, platform=platform, parts=list(parts), source="written")
    return p


def rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-cmd|", "'-cmd|"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tx", "'\tx"),
        ("Hello = world", "Hello = world"),
    ],
)
def test_formula_like_cells_get_an_apostrophe(value, written):
    assert csv_cell(value) == written


def test_export_lists_posts_with_their_time_on_the_brands_clock(brand):
    post(brand, "=1+1 is two", platforms=("x", "linkedin"), at=datetime(2027, 3, 2, 14, 30, tzinfo=UTC))
    [row] = rows(csv_export_text(brand=brand))
    assert row["text"] == "'=1+1 is two"
    assert row["platforms"] == "x, linkedin"
    assert (row["date"], row["time"]) == ("2027-03-02", "09:30")  # New York, EST
    assert row["status"] == "draft" and row["origin"] == "written"


def test_a_thread_fills_text_2_and_on(brand):
    post(brand, "One", "Two", "Three", post_format="thread")
    post(brand, "Single")
    exported = rows(csv_export_text(brand=brand))
    by_text = {r["text"]: r for r in exported}
    assert (by_text["One"]["text_2"], by_text["One"]["text_3"]) == ("Two", "Three")
    assert by_text["Single"]["text_2"] == ""


def test_export_follows_the_lists_filters(brand):
    post(brand, "Draft on X")
    post(brand, "Approved on LinkedIn", platforms=("linkedin",), status=PostStatus.APPROVED)
    assert [r["text"] for r in rows(csv_export_text(brand=brand, status="approved"))] == [
        "Approved on LinkedIn"
    ]
    assert [r["text"] for r in rows(csv_export_text(brand=brand, platform="x"))] == ["Draft on X"]


def test_the_export_url_reads_the_lists_query(client, owner, brand, other_brand):
    post(brand, "Draft on X")
    post(brand, "Approved", status=PostStatus.APPROVED)
    client.force_login(owner)
    response = client.get(f"/brand/{brand.pk}/posts/export.csv?status=approved&platform=&trend=")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="posts-brand-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert [r["text"] for r in rows(text)] == ["Approved"]
    assert client.get(f"/brand/{other_brand.pk}/posts/export.csv").status_code == 404


def test_the_api_export(client, owner, brand, other_brand):
    post(brand, "@ana hello", platforms=("linkedin",))
    client.force_login(owner)
    response = client.get(f"/api/v1/brands/{brand.pk}/posts/export.csv?platform=linkedin")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert [r["text"] for r in rows(response.content.decode())] == ["'@ana hello"]
    assert client.get(f"/api/v1/brands/{other_brand.pk}/posts/export.csv").status_code == 404


def test_export_queries_do_not_grow_with_posts(brand, django_assert_max_num_queries):
    for i in range(30):
        post(brand, f"Post {i}", "part", post_format="thread" if i % 2 else "post")
    with django_assert_max_num_queries(8):
        assert len(rows(csv_export_text(brand=brand))) == 30
