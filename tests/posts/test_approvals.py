"""Approvals by role: with "posts need approval" on, editors submit, owners and approvers approve
or request changes, approvers are notified, nothing is scheduled before approval, nobody approves
their own post unless they are the only one who may; with it off, today's behaviour."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import BrandMembership
from apps.notifications.models import Notification
from apps.posts import approvals
from apps.posts.models import ApprovalState, Post, PostCopy, PostEdit, PostStatus
from apps.posts.services import post_approve, post_copy_update
from apps.publishing.services import post_schedule
from tests.factories import BrandFactory, BrandUserFactory, PostFactory

pytestmark = pytest.mark.django_db


def _member(brand, role, **kwargs):
    user = BrandUserFactory(**kwargs)
    BrandMembership.objects.create(brand=brand, user=user, role=role)
    return user


@pytest.fixture
def team(brand):
    brand.posts_need_approval = True
    brand.save()
    return {
        "owner": _member(brand, "owner", display_name="Olga Owner"),
        "approver": _member(brand, "approver", display_name="Arun Approver"),
        "editor": _member(brand, "editor", display_name="Eddie Editor"),
    }


def _written(brand, author, text="Ten-second euro transfers are live."):
    post = PostFactory(brand=brand, created_by=author, origin="written", generation_state="ready")
    PostCopy.objects.create(post=post, platform="x", parts=[text], source="written")
    return post


def _client(user):
    c = Client()
    c.force_login(user)
    return c


# --- Services -------------------------------------------------------------------------------------


def test_editor_submits_and_every_approver_but_the_submitter_is_notified(
    brand, team, django_capture_on_commit_callbacks
):
    post = _written(brand, team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        approvals.post_submit_for_approval(post=post, user=team["editor"])
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.approval_state == ApprovalState.PENDING
    assert post.submitted_by == team["editor"]
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assert notified == {team["owner"].pk, team["approver"].pk}
    assert Notification.objects.filter(url=f"/posts/{post.pk}/").count() == 2
    assert {m.to[0] for m in mail.outbox} == {team["owner"].email, team["approver"].email}
    assert PostEdit.objects.filter(
        post=post, field="approval", after="submitted", user=team["editor"]
    ).exists()


def test_submitting_twice_is_refused(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    with pytest.raises(ValidationError, match="already awaiting approval"):
        approvals.post_submit_for_approval(post=post, user=team["editor"])


def test_submitting_copy_over_a_limit_is_refused_and_changes_nothing(brand, team):
    post = _written(brand, team["editor"], text="y" * 300)
    with pytest.raises(ValidationError):
        approvals.post_submit_for_approval(post=post, user=team["editor"])
    post.refresh_from_db()
    assert post.approval_state == "" and not Notification.objects.exists()


def test_submit_is_refused_when_the_brand_does_not_need_approval(brand):
    editor = _member(brand, "editor")
    post = _written(brand, editor)
    with pytest.raises(ValidationError, match="do not need approval"):
        approvals.post_submit_for_approval(post=post, user=editor)


def test_an_editor_cannot_approve_when_approval_is_on(brand, team):
    post = _written(brand, team["owner"])
    with pytest.raises(ValidationError, match="Only an owner or an approver"):
        post_approve(post=post, user=team["editor"])
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_an_approver_approves_a_submitted_post_and_the_author_is_told(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    post_approve(post=post, user=team["approver"])
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.approved_by == team["approver"]
    assert post.approval_state == ""
    assert Notification.objects.filter(user=team["editor"], title__contains="approved your post").exists()
    assert PostEdit.objects.filter(
        post=post, field="approval", after="approved", user=team["approver"]
    ).exists()


def test_approving_your_own_post_is_refused_when_someone_else_can(brand, team):
    post = _written(brand, team["owner"])
    with pytest.raises(ValidationError, match="cannot approve your own post"):
        post_approve(post=post, user=team["owner"])
    submitted = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=submitted, user=team["approver"])  # submitted by the approver
    with pytest.raises(ValidationError, match="cannot approve your own post"):
        post_approve(post=submitted, user=team["approver"])


def test_the_only_approver_may_approve_their_own_post_and_the_history_says_so():
    brand = BrandFactory(posts_need_approval=True)
    owner = _member(brand, "owner")
    _member(brand, "editor")
    post = _written(brand, owner)
    post_approve(post=post, user=owner)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    line = PostEdit.objects.get(post=post, field="approval", after="approved")
    assert line.note == "approved own post: no other approver"


def test_request_changes_needs_a_note_and_an_approving_role(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    with pytest.raises(ValidationError, match="Say what should change"):
        approvals.post_request_changes(post=post, user=team["owner"], note="  ")
    with pytest.raises(ValidationError, match="Only an owner or an approver"):
        approvals.post_request_changes(post=post, user=team["editor"], note="Shorter")
    approvals.post_request_changes(post=post, user=team["owner"], note="Name the regulation.")
    post.refresh_from_db()
    assert post.approval_state == ApprovalState.CHANGES_REQUESTED and post.status == PostStatus.DRAFT
    told = Notification.objects.get(user=team["editor"], title__contains="asked for changes")
    assert told.body == "Name the regulation."
    # The editor edits and submits again.
    post_copy_update(
        post=post, platform="x", parts=["The EU instant payments rule is live."], user=team["editor"]
    )
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    post.refresh_from_db()
    assert post.approval_state == ApprovalState.PENDING


def test_a_post_cannot_be_scheduled_until_approved(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    at = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        post_schedule(post=post, user=team["owner"], at=at)
    assert "awaiting approval" in str(refused.value)
    post_approve(post=post, user=team["owner"])
    post_schedule(post=post, user=team["owner"], at=at)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_a_draft_never_submitted_is_refused_scheduling_with_what_to_do(brand, team):
    post = _written(brand, team["editor"])
    with pytest.raises(ValidationError, match="submit it"):
        post_schedule(post=post, user=team["owner"], at=timezone.now() + timedelta(days=1))


def test_without_the_setting_any_member_approves_their_own_post(brand):
    editor = _member(brand, "editor")
    post = _written(brand, editor)
    post_approve(post=post, user=editor)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert not PostEdit.objects.filter(post=post, field="approval").exists()


# --- Pages ------------------------------------------------------------------------------------------


def test_editor_sees_submit_not_approve_and_submits_from_the_page(brand, team):
    post = _written(brand, team["editor"])
    c = _client(team["editor"])
    page = c.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "Submit for approval" in page and 'class="approve-form"' not in page
    response = c.post(reverse("posts:submit", args=[post.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Awaiting approval" in response.content.decode()
    assert Post.objects.get(pk=post.pk).approval_state == ApprovalState.PENDING


def test_editor_posting_approve_gets_the_reason_and_nothing_changes(brand, team):
    post = _written(brand, team["owner"])
    response = _client(team["editor"]).post(reverse("posts:approve", args=[post.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Only an owner or an approver" in response.content.decode()
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT


def test_owner_approves_from_the_page_and_the_history_shows_who(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    c = _client(team["owner"])
    page = c.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert 'class="approve-form"' in page and "Request changes" in page
    response = c.post(reverse("posts:approve", args=[post.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Approved" in html
    assert "Submitted for approval" in html and "in the approval step" in html


def test_request_changes_without_a_note_shows_the_error_at_the_field(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    c = _client(team["approver"])
    response = c.post(reverse("posts:request_changes", args=[post.pk]), {"note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Say what should change." in response.content.decode()
    response = c.post(
        reverse("posts:request_changes", args=[post.pk]), {"note": "Add the date."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "asked for changes: “Add the date.”" in response.content.decode()


def test_own_post_page_says_another_approver_approves_it(brand, team):
    post = _written(brand, team["approver"])
    page = _client(team["approver"]).get(reverse("posts:review", args=[post.pk])).content.decode()
    assert "another owner or approver approves it" in page and 'class="approve-form"' not in page


def test_owner_turns_the_setting_on_in_brand_settings_and_an_editor_cannot(brand, team):
    brand.posts_need_approval = False
    brand.save()
    url = reverse("brands:approvals", args=[brand.pk])
    _client(team["editor"]).post(url, {"posts_need_approval": "on"})
    brand.refresh_from_db()
    assert not brand.posts_need_approval
    c = _client(team["owner"])
    assert "Posts need approval" in c.get(reverse("brands:settings", args=[brand.pk])).content.decode()
    c.post(url, {"posts_need_approval": "on"})
    brand.refresh_from_db()
    assert brand.posts_need_approval


def test_owner_gives_a_member_the_approver_role(brand, team):
    url = reverse("brands:member_role", args=[brand.pk, team["editor"].brand_memberships.get().pk])
    _client(team["owner"]).post(url, {"role": "approver"})
    assert team["editor"].brand_memberships.get().role == "approver"


def test_another_brands_post_is_404_for_submit_and_request_changes(brand, team):
    post = _written(brand, team["editor"])
    other = BrandFactory()
    stranger = _member(other, "owner")
    c = _client(stranger)
    assert c.post(reverse("posts:submit", args=[post.pk])).status_code == 404
    assert c.post(reverse("posts:request_changes", args=[post.pk]), {"note": "x"}).status_code == 404


# --- API --------------------------------------------------------------------------------------------


def test_api_submit_approve_and_request_changes(brand, team):
    post = _written(brand, team["editor"])
    editor, owner = _client(team["editor"]), _client(team["owner"])
    refused = editor.post(f"/api/v1/posts/{post.pk}/approve")
    assert refused.status_code == 422 and "submit it for approval" in refused.json()["detail"]
    submitted = editor.post(f"/api/v1/posts/{post.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["approval_state"] == "pending"
    no_note = owner.post(
        f"/api/v1/posts/{post.pk}/request-changes", json.dumps({"note": ""}), content_type="application/json"
    )
    assert no_note.status_code == 422 and "Say what should change" in no_note.json()["detail"]
    changes = owner.post(
        f"/api/v1/posts/{post.pk}/request-changes",
        json.dumps({"note": "Shorter, please."}),
        content_type="application/json",
    )
    assert changes.status_code == 200 and changes.json()["approval_state"] == "changes"
    editor.post(f"/api/v1/posts/{post.pk}/submit")
    approved = owner.post(f"/api/v1/posts/{post.pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_api_another_brands_post_is_404(brand, team):
    post = _written(brand, team["editor"])
    stranger = _member(BrandFactory(), "owner")
    c = _client(stranger)
    assert c.post(f"/api/v1/posts/{post.pk}/submit").status_code == 404
    assert (
        c.post(
            f"/api/v1/posts/{post.pk}/request-changes",
            json.dumps({"note": "x"}),
            content_type="application/json",
        ).status_code
        == 404
    )


def test_the_posts_list_shows_which_drafts_await_approval(brand, team):
    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    page = _client(team["owner"]).get(reverse("posts:list") + f"?brand={brand.pk}").content.decode()
    assert "approval-state-pending" in page and "Awaiting approval" in page


def test_staff_admin_shows_the_approval_state(brand, team):
    from tests.factories import StaffFactory

    post = _written(brand, team["editor"])
    approvals.post_submit_for_approval(post=post, user=team["editor"])
    page = _client(StaffFactory()).get(f"/admin/posts/post/{post.pk}/change/").content.decode()
    assert "Awaiting approval" in page and "Submitted by" in page


def test_api_turns_the_setting_on_for_owners_only_and_404s_another_brand(brand, team):
    brand.posts_need_approval = False
    brand.save()
    body = json.dumps({"posts_need_approval": True})
    editor = _client(team["editor"]).put(
        f"/api/v1/brands/{brand.pk}/approvals", body, content_type="application/json"
    )
    assert editor.status_code == 403 and "Only an owner" in editor.json()["detail"]
    stranger = _client(_member(BrandFactory(), "owner"))
    assert (
        stranger.put(
            f"/api/v1/brands/{brand.pk}/approvals", body, content_type="application/json"
        ).status_code
        == 404
    )
    owner = _client(team["owner"]).put(
        f"/api/v1/brands/{brand.pk}/approvals", body, content_type="application/json"
    )
    assert owner.status_code == 200 and owner.json()["posts_need_approval"] is True
    brand.refresh_from_db()
    assert brand.posts_need_approval
