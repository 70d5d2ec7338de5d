"""The suite-wide check that no rendered page shows a raw `{# … #}` (tests/conftest.py)."""

from django.http import HttpResponse

from tests.conftest import _raw_template_comment


def test_a_two_line_template_comment_left_in_a_page_is_found():
    page = HttpResponse("<main>{# a note\nthat spans two lines #}<h1>Memes</h1></main>")
    assert "a note" in _raw_template_comment(page)


def test_a_clean_page_and_non_html_answers_pass():
    assert _raw_template_comment(HttpResponse("<main><h1>Memes</h1></main>")) is None
    assert _raw_template_comment(HttpResponse("{# not html #}", content_type="text/plain")) is None


def test_the_public_meme_feed_has_no_raw_template_comment(client, db):
    response = client.get("/memes/")  # the check in conftest fails the request if it has one
    assert response.status_code == 200
    assert _raw_template_comment(response) is None
