"""Brand settings and members through their pages: sections save on their own, bad input saves
nothing, owners manage members and the brand, editors cannot, and other brands are 404."""

import html

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from apps.brands import services
from apps.brands.models import (
    Brand,
    BrandInvitation,
    BrandMembership,
    Industry,
    MembershipRole,
    OnboardingStep,
)
from tests.factories import BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def onboarded(brand):
    services.brand_set_industry(brand=brand, industry_id=industry("fintech").pk)
    services.brand_set_pillars(brand=brand, pillars=["Close the books faster"])
    services.brand_set_audience(brand=brand, roles=["CFO"], geographies=[], company_sizes=[])
    return services.brand_set_preferences(
        brand=brand,
        posts_per_week=3,
        preferred_days=[0],
        time_windows=["09:00-11:00"],
        timezone_name="UTC",
        default_tone="bold",
    )


def industry(slug):
    """A seeded industry (a data migration adds them; transactional tests may have flushed it)."""
    return Industry.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def fresh(brand):
    return Brand.objects.get(pk=brand.pk)


def section_url(brand, section):
    return reverse("brands:settings_section", args=[brand.pk, section])


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


@pytest.fixture
def editor(brand):
    return MembershipFactory(brand=brand, role=MembershipRole.EDITOR).user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- Settings --------------------------------------------------------------------------------------


def test_settings_show_every_part_of_the_profile_and_the_linked_accounts(owner_client, brand_user):
    brand = onboarded(services.brand_create(user=brand_user, name="Northwind"))
    content = owner_client.get(reverse("brands:settings", args=[brand.pk])).content.decode()
    for section in ("name", "industry", "identity", "pillars", "audience", "voice", "preferences"):
        assert f'action="{section_url(brand, section)}"' in content
    assert f"@{brand.slug}" in content  # the sandbox connection
    assert 'id="connect-buttons"' in content
    assert 'name="confirm_name"' in content


def test_settings_page_query_count_does_not_grow_with_the_profile(
    owner_client, brand_user, django_assert_max_num_queries
):
    brand = onboarded(services.brand_create(user=brand_user, name="Northwind"))
    for n in range(4):
        MembershipFactory(brand=brand, role=MembershipRole.EDITOR)
        Industry.objects.create(slug=f"extra-{n}", name=f"Extra {n}")
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("brands:settings", args=[brand.pk]))
    assert response.status_code == 200


def test_saving_a_section_saves_it_and_says_so_in_that_section(owner_client, brand):
    onboarded(brand)
    response = owner_client.post(section_url(brand, "pillars"), {"pillars": ["Faster close", "Less risk"]})
    assert response["Location"] == reverse("brands:settings", args=[brand.pk]) + "?saved=pillars#pillars"
    assert fresh(brand).pillars == ["Faster close", "Less risk"]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Messaging pillars saved." in page


def test_with_htmx_a_saved_section_comes_back_on_its_own(owner_client, brand):
    onboarded(brand)
    response = owner_client.post(
        section_url(brand, "audience"),
        {"roles": "CFO, Controller", "geographies": "", "company_sizes": ""},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="audience"' in content
    assert "Target audience saved." in content
    assert fresh(brand).audience_roles == ["CFO", "Controller"]


def test_a_bad_section_saves_nothing_and_shows_the_error_next_to_the_field(owner_client, brand):
    onboarded(brand)
    response = owner_client.post(
        section_url(brand, "preferences"),
        {
            "posts_per_week": "40",
            "preferred_days": ["2"],
            "time_windows": "10:00-12:00",
            "timezone": "Europe/Berlin",
            "default_tone": "witty",
        },
    )
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert 'id="id_posts_per_week_error"' in content
    assert "Between 1 and 28 posts a week." in content
    brand = fresh(brand)
    assert (brand.posts_per_week, brand.timezone, brand.default_tone) == (3, "UTC", "bold")


def test_renaming_in_settings_works_for_an_onboarded_brand(owner_client, brand):
    onboarded(brand)
    owner_client.post(section_url(brand, "name"), {"name": "Northwind Labs"})
    brand = fresh(brand)
    assert brand.name == "Northwind Labs"
    assert brand.is_onboarded


def test_settings_leave_steps_not_reached_yet_to_the_wizard(owner_client, brand):
    brand.onboarding_step = OnboardingStep.PILLARS
    brand.save()
    content = owner_client.get(reverse("brands:settings", args=[brand.pk])).content.decode()
    assert f'action="{section_url(brand, "industry")}"' in content
    assert f'action="{section_url(brand, "preferences")}"' not in content
    assert "Continue setup — step 4 of 8" in content

    response = owner_client.post(
        section_url(brand, "preferences"),
        {"posts_per_week": "3", "preferred_days": ["0"], "time_windows": "09:00-10:00", "timezone": "UTC"},
    )
    assert response["Location"] == reverse("brands:onboarding_step", args=[brand.pk, 4])
    assert not fresh(brand).is_onboarded


def test_editors_edit_the_profile_too(editor_client, brand):
    onboarded(brand)
    editor_client.post(section_url(brand, "pillars"), {"pillars": ["Edited by an editor"]})
    assert fresh(brand).pillars == ["Edited by an editor"]


def test_another_brands_settings_are_404(owner_client, other_brand):
    assert owner_client.get(reverse("brands:settings", args=[other_brand.pk])).status_code == 404
    response = owner_client.post(section_url(other_brand, "name"), {"name": "Taken over"})
    assert response.status_code == 404
    response = owner_client.post(
        reverse("brands:delete", args=[other_brand.pk]), {"confirm_name": other_brand.name}
    )
    assert response.status_code == 404
    assert fresh(other_brand).name != "Taken over"


def test_an_unknown_settings_section_is_404(owner_client, brand):
    assert owner_client.post(section_url(brand, "secrets"), {}).status_code == 404


# --- Deleting a brand -----------------------------------------------------------------------------


def test_owner_deletes_the_brand_by_typing_its_name(owner_client, brand):
    response = owner_client.post(reverse("brands:delete", args=[brand.pk]), {"confirm_name": brand.name})
    assert response["Location"] == reverse("brands:dashboard")
    assert not Brand.objects.filter(pk=brand.pk).exists()


def test_a_mistyped_name_deletes_nothing(owner_client, brand):
    response = owner_client.post(reverse("brands:delete", args=[brand.pk]), {"confirm_name": "nope"})
    assert response.status_code == 200
    assert "exactly to delete the brand" in html.unescape(response.content.decode())
    assert Brand.objects.filter(pk=brand.pk).exists()


def test_an_editor_cannot_delete_the_brand(editor_client, brand):
    page = editor_client.get(reverse("brands:settings", args=[brand.pk])).content.decode()
    assert 'name="confirm_name"' not in page
    response = editor_client.post(reverse("brands:delete", args=[brand.pk]), {"confirm_name": brand.name})
    assert response.status_code == 302
    assert "Only an owner of the brand can do this." in flash(response)
    assert Brand.objects.filter(pk=brand.pk).exists()


# --- Members ------------------------------------------------------------------------------------


def test_members_page_lists_members_with_role_and_join_date(owner_client, brand, brand_user, editor):
    content = owner_client.get(reverse("brands:members", args=[brand.pk])).content.decode()
    assert brand_user.email in content
    assert editor.email in content
    assert "Send invitation" in content


def test_members_page_query_count_is_bounded(owner_client, brand, django_assert_max_num_queries):
    for _ in range(5):
        MembershipFactory(brand=brand, role=MembershipRole.EDITOR)
    owner = BrandMembership.objects.filter(brand=brand).first().user
    for n in range(3):
        services.brand_invite(brand=brand, inviter=owner, email=f"guest{n}@example.com", role="editor")
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("brands:members", args=[brand.pk]))
    assert response.status_code == 200


def test_owner_invites_by_email_and_the_email_goes_out(
    owner_client, brand, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("brands:member_invite", args=[brand.pk]), {"email": "Ed@Example.com", "role": "owner"}
        )
    assert response["Location"] == reverse("brands:members", args=[brand.pk])
    invitation = BrandInvitation.objects.get(brand=brand)
    assert (invitation.email, invitation.role) == ("ed@example.com", "owner")
    assert mail.outbox[0].to == ["ed@example.com"]
    page = owner_client.get(reverse("brands:members", args=[brand.pk])).content.decode()
    assert "Invitation sent to ed@example.com as owner." in page
    assert "ed@example.com" in page


def test_a_bad_invitation_shows_the_error_next_to_the_email_field(owner_client, brand):
    response = owner_client.post(
        reverse("brands:member_invite", args=[brand.pk]), {"email": "not-an-email", "role": "editor"}
    )
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert not BrandInvitation.objects.exists()


def test_inviting_a_member_again_says_so_next_to_the_email_field(owner_client, brand, editor):
    response = owner_client.post(
        reverse("brands:member_invite", args=[brand.pk]), {"email": editor.email, "role": "editor"}
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()


def test_owner_changes_a_role_and_removes_a_member(owner_client, brand, editor):
    target = BrandMembership.objects.get(brand=brand, user=editor)
    owner_client.post(reverse("brands:member_role", args=[brand.pk, target.pk]), {"role": "owner"})
    assert BrandMembership.objects.get(pk=target.pk).role == MembershipRole.OWNER
    owner_client.post(reverse("brands:member_remove", args=[brand.pk, target.pk]))
    assert not BrandMembership.objects.filter(pk=target.pk).exists()


def test_the_last_owner_cannot_step_down(owner_client, brand, brand_user):
    me = BrandMembership.objects.get(brand=brand, user=brand_user)
    response = owner_client.post(reverse("brands:member_role", args=[brand.pk, me.pk]), {"role": "editor"})
    assert response.status_code == 302
    assert "A brand needs at least one owner" in flash(response)[0]
    assert BrandMembership.objects.get(pk=me.pk).role == MembershipRole.OWNER


def test_owner_withdraws_an_invitation(owner_client, brand, brand_user):
    invitation = services.brand_invite(brand=brand, inviter=brand_user, email="x@example.com", role="editor")
    owner_client.post(reverse("brands:invitation_revoke", args=[brand.pk, invitation.pk]))
    assert BrandInvitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_editors_see_members_without_any_forms(editor_client, brand):
    content = editor_client.get(reverse("brands:members", args=[brand.pk])).content.decode()
    assert "Only owners can invite people" in content
    assert 'name="email"' not in content
    assert 'name="role"' not in content
    assert "Remove" not in content


def test_an_editor_cannot_invite(editor_client, brand):
    response = editor_client.post(
        reverse("brands:member_invite", args=[brand.pk]), {"email": "friend@example.com", "role": "owner"}
    )
    assert response.status_code == 302
    assert "Only an owner of the brand can do this." in flash(response)
    assert not BrandInvitation.objects.exists()


def test_an_editor_cannot_remove_or_promote_members(editor_client, brand, brand_user, editor):
    owner = BrandMembership.objects.get(brand=brand, user=brand_user)
    me = BrandMembership.objects.get(brand=brand, user=editor)
    response = editor_client.post(reverse("brands:member_remove", args=[brand.pk, owner.pk]))
    assert "Only an owner of the brand can do this." in flash(response)
    editor_client.post(reverse("brands:member_role", args=[brand.pk, me.pk]), {"role": "owner"})
    assert BrandMembership.objects.filter(pk=owner.pk).exists()
    assert BrandMembership.objects.get(pk=me.pk).role == MembershipRole.EDITOR


def test_an_editor_cannot_withdraw_invitations(editor_client, brand, brand_user):
    invitation = services.brand_invite(brand=brand, inviter=brand_user, email="x@example.com", role="editor")
    response = editor_client.post(reverse("brands:invitation_revoke", args=[brand.pk, invitation.pk]))
    assert "Only an owner of the brand can do this." in flash(response)
    assert BrandInvitation.objects.get(pk=invitation.pk).revoked_at is None


def test_another_brands_members_are_404(owner_client, brand, other_brand):
    assert owner_client.get(reverse("brands:members", args=[other_brand.pk])).status_code == 404
    theirs = BrandMembership.objects.get(brand=other_brand)
    response = owner_client.post(reverse("brands:member_invite", args=[other_brand.pk]), {"email": "a@b.co"})
    assert response.status_code == 404
    # Their membership through my brand's address is not found either.
    assert owner_client.post(reverse("brands:member_remove", args=[brand.pk, theirs.pk])).status_code == 404
    assert (
        owner_client.post(reverse("brands:member_remove", args=[other_brand.pk, theirs.pk])).status_code
        == 404
    )
    assert BrandMembership.objects.filter(pk=theirs.pk).exists()


def test_another_brands_invitation_is_404(owner_client, brand, other_brand):
    owner = BrandMembership.objects.get(brand=other_brand).user
    theirs = services.brand_invite(brand=other_brand, inviter=owner, email="y@example.com", role="editor")
    assert (
        owner_client.post(reverse("brands:invitation_revoke", args=[brand.pk, theirs.pk])).status_code == 404
    )
    assert BrandInvitation.objects.get(pk=theirs.pk).revoked_at is None


def test_a_member_who_leaves_goes_back_to_the_dashboard(owner_client, brand, brand_user):
    MembershipFactory(brand=brand, user=BrandUserFactory(), role=MembershipRole.OWNER)
    me = BrandMembership.objects.get(brand=brand, user=brand_user)
    response = owner_client.post(reverse("brands:member_remove", args=[brand.pk, me.pk]))
    assert response["Location"] == reverse("brands:dashboard")
    assert not BrandMembership.objects.filter(pk=me.pk).exists()
