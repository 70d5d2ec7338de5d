"""Staff in the admin: the index names each app once, a post is found by its brand and opened with
its copy, graphics and history; the browser gets the site's icon at /favicon.ico."""

import re

import pytest
from playwright.sync_api import expect

from apps.posts.models import Post, PostCopy, PostEdit, PostStatus
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_find_a_post_in_the_admin_and_the_site_has_an_icon(new_page, site_server):
    staff = StaffFactory(email="ops@social-medai.example", display_name="Sam Ops")
    post = Post.objects.create(brand=BrandFactory(name="Ledgerly"), tone="friendly", status=PostStatus.DRAFT)
    PostCopy.objects.create(post=post, platform="x", parts=["Instant payments are here."], source="llm")
    PostEdit.objects.create(post=post, field="status", before="draft", after="approved", note="first review")

    page = new_page()
    log_in(page, staff.email)
    page.goto("/admin/")
    captions = page.locator("#content-main caption a").all_inner_texts()
    assert len(captions) == len(set(captions)), captions
    assert "USERS AND API TOKENS" in [c.upper() for c in captions]
    assert "SIGN-IN EMAIL ADDRESSES" in [c.upper() for c in captions]
    screenshot(page, "admin-index")

    page.locator("#posts-post").get_by_role("link", name="Posts").click()
    page.fill("#searchbar", "Ledgerly")
    page.press("#searchbar", "Enter")
    page.get_by_role("link", name=str(post.pk), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/posts/post/{post.pk}/change/(\?.*)?$"))
    expect(page.locator("textarea[name='copies-0-parts']")).to_have_value('["Instant payments are here."]')
    expect(page.get_by_text("first review")).to_be_visible()
    screenshot(page, "admin-post")

    icon = page.request.get(f"{site_server.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    page.goto("/")
    link = page.locator("link[rel=icon][href$='favicon.ico']")
    assert page.request.get(f"{site_server.url}{link.get_attribute('href')}").status == 200
