"""Brands, memberships and the access rule: another brand's object is 404 everywhere."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from apps.brands import selectors, services
from apps.brands.models import BrandMembership, MembershipRole
from apps.notifications.models import Notification
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_creating_a_brand_makes_its_creator_the_owner(brand_user):
    brand = services.brand_create(user=brand_user, name="Northwind")
    membership = BrandMembership.objects.get(brand=brand, user=brand_user)
    assert membership.role == MembershipRole.OWNER
    assert brand.slug == "northwind"
    assert services.brand_create(user=brand_user, name="Northwind").slug == "northwind-2"


def test_influencers_cannot_create_brands(influencer):
    with pytest.raises(PermissionDenied):
        services.brand_create(user=influencer, name="Nope")


def test_blank_brand_name_is_refused(brand_user):
    with pytest.raises(ValidationError):
        services.brand_create(user=brand_user, name="  ")


def test_member_gets_the_brand_non_member_gets_404(brand_user, brand, other_brand):
    assert selectors.brand_get_for_user(user=brand_user, brand_id=brand.pk) == brand
    with pytest.raises(Http404):
        selectors.brand_get_for_user(user=brand_user, brand_id=other_brand.pk)


def test_editor_is_not_found_where_owner_is_required(brand):
    editor = MembershipFactory(brand=brand, role=MembershipRole.EDITOR).user
    assert selectors.brand_get_for_user(user=editor, brand_id=brand.pk) == brand
    with pytest.raises(Http404):
        selectors.brand_get_for_user(user=editor, brand_id=brand.pk, owner_only=True)


def test_brand_object_access_helper_hides_other_brands_objects(brand_user, brand, other_brand):
    from apps.brands.models import BrandMembership as M

    mine = M.objects.get(brand=brand)
    theirs = M.objects.get(brand=other_brand)
    assert selectors.brand_object_get_for_user(M.objects.all(), user=brand_user, pk=mine.pk) == mine
    with pytest.raises(Http404):
        selectors.brand_object_get_for_user(M.objects.all(), user=brand_user, pk=theirs.pk)


def test_switching_to_another_brand_is_404(client, brand_user, brand, other_brand):
    client.force_login(brand_user)
    assert client.post(reverse("brands:switch", args=[other_brand.pk])).status_code == 404
    assert client.post(reverse("brands:switch", args=[brand.pk])).status_code == 302


def test_dashboard_without_a_brand_says_to_create_one(client, brand_user):
    client.force_login(brand_user)
    response = client.get(reverse("brands:dashboard"))
    assert response.status_code == 200
    assert b"set up your brand" in response.content


def test_create_brand_form_shows_errors_next_to_the_field(client, brand_user):
    client.force_login(brand_user)
    response = client.post(reverse("brands:create"), {"name": ""})
    assert response.context["form"].errors["name"] == ["Enter your brand's name."]


def test_dashboard_shows_the_current_brand(client, brand_user, brand, django_assert_max_num_queries):
    client.force_login(brand_user)
    Notification.objects.create(user=brand_user, title="hello")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("brands:dashboard"))
    assert brand.name.encode() in response.content
