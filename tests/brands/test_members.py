"""Members and invitations: owners manage them, editors cannot; accepted after sign-up."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.brands import services
from apps.brands.models import BrandInvitation, BrandMembership, MembershipRole
from tests.factories import BrandUserFactory, InfluencerFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def invite(brand, owner, email="ed@example.com", role="editor"):
    return services.brand_invite(brand=brand, inviter=owner, email=email, role=role)


def test_owner_invites_by_email_and_the_invitee_accepts_after_sign_up(
    brand, brand_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(brand, brand_user, email="Ed@Example.com")
    assert mail.outbox[0].to == ["ed@example.com"]
    assert invitation.token in mail.outbox[0].body

    invitee = BrandUserFactory(email="ed@example.com")
    client.force_login(invitee)
    response = client.post(reverse("brands:invitation", args=[invitation.token]))
    assert response.status_code == 302
    assert BrandMembership.objects.get(brand=brand, user=invitee).role == MembershipRole.EDITOR


def test_invitation_for_another_address_is_refused(brand, brand_user):
    invitation = invite(brand, brand_user)
    with pytest.raises(ValidationError, match=r"sent to ed@example\.com"):
        services.brand_invitation_accept(
            token=invitation.token, user=BrandUserFactory(email="someone@example.com")
        )


def test_influencer_cannot_accept_a_brand_invitation(brand, brand_user):
    invitation = invite(brand, brand_user, email="inf@example.com")
    with pytest.raises(ValidationError, match="brand accounts"):
        services.brand_invitation_accept(
            token=invitation.token, user=InfluencerFactory(email="inf@example.com")
        )


def test_expired_and_revoked_invitations_are_refused(brand, brand_user):
    invitation = invite(brand, brand_user)
    BrandInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(ValidationError, match="no longer valid"):
        services.brand_invitation_accept(
            token=invitation.token, user=BrandUserFactory(email="ed@example.com")
        )


def test_one_open_invitation_per_address(brand, brand_user):
    invite(brand, brand_user)
    with pytest.raises(ValidationError, match="already open"):
        invite(brand, brand_user)


def test_editor_cannot_invite_remove_members_or_delete_the_brand(brand, brand_user):
    editor = MembershipFactory(brand=brand, role=MembershipRole.EDITOR).user
    with pytest.raises(PermissionDenied):
        invite(brand, editor)
    owner_membership = BrandMembership.objects.get(brand=brand, user=brand_user)
    with pytest.raises(PermissionDenied):
        services.brand_member_remove(membership=owner_membership, user=editor)
    with pytest.raises(PermissionDenied):
        services.brand_delete(brand=brand, user=editor)


def test_the_last_owner_cannot_leave_or_be_demoted(brand, brand_user):
    membership = BrandMembership.objects.get(brand=brand, user=brand_user)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.brand_member_set_role(membership=membership, user=brand_user, role="editor")
    with pytest.raises(ValidationError, match="at least one owner"):
        services.brand_member_remove(membership=membership, user=brand_user)


def test_invitation_page_for_a_bad_token_is_404(client):
    response = client.get(reverse("brands:invitation", args=["nope"]))
    assert response.status_code == 404
    assert b"no longer valid" in response.content
