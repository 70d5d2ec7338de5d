"""Both variants go out, through the publishing services: by default B takes the next free slot
after A's on A's accounts; or both at A's time on different platforms. Drafts are refused."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import BrandMembership, Platform
from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing import ab
from apps.publishing.models import Publication, PublicationStatus
from apps.publishing.services import post_schedule
from tests.factories import BrandFactory, BrandUserFactory
from tests.fakes.x_api import FakeX
from tests.publishing.conftest import LINKEDIN_MEMBER, X_USER_ID, connect
from tests.publishing.ui_fixtures import post_page

pytestmark = pytest.mark.django_db

NY = ZoneInfo("America/New_York")
MONDAY_NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # Mon 2 March, 12:00 in New York (EST)


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


@pytest.fixture
def owner():
    return BrandUserFactory()


@pytest.fixture
def brand(owner):
    """Slots on Tue, Wed and Thu at 09:00 and 10:00 in New York."""
    brand = BrandFactory(
        name="Ledgerly",
        timezone="America/New_York",
        preferred_days=[1, 2, 3],
        preferred_time_windows=["09:00-11:00"],
        posts_per_week=5,
        onboarding_completed_at=timezone.now(),
    )
    BrandMembership.objects.create(brand=brand, user=owner, role="owner")
    return brand


def _approved(brand, text, *, platforms=("x",), parent=None, label="") -> Post:
    post = Post.objects.create(
        brand=brand,
        tone="bold",
        status=PostStatus.APPROVED,
        generation_state="ready",
        ab_parent=parent,
        variant_label=label,
    )
    for platform in platforms:
        PostCopy.objects.create(
            post=post, platform=platform, parts=[f"{text} ({platform})"], source="template"
        )
    return post


def _pair(brand, *, platforms=("x",)) -> tuple[Post, Post]:
    a = _approved(brand, "Instant payments are here.", platforms=platforms, label="A")
    b = _approved(brand, "Your cash, in ten seconds.", platforms=platforms, parent=a, label="B")
    return a, b


def _local(publication) -> str:
    return publication.scheduled_for.astimezone(NY).strftime("%a %H:%M")


def test_by_default_b_goes_out_in_the_next_free_slot_after_a(brand, owner):
    a, b = _pair(brand)
    planned = ab.ab_schedule(post=a, user=owner)
    assert [_local(p) for p in planned.a] == ["Tue 09:00"]
    assert [_local(p) for p in planned.b] == ["Tue 10:00"]
    # The same account (the sandbox: the brand has no real one), both posts scheduled.
    assert [p.connection_id for p in planned.a] == [p.connection_id for p in planned.b]
    assert planned.a[0].is_sandbox
    a.refresh_from_db(), b.refresh_from_db()
    assert a.status == b.status == PostStatus.SCHEDULED
    assert (
        planned.summary == "A goes out Tue 3 Mar, 09:00 on Sandbox; B goes out Tue 3 Mar, 10:00 on Sandbox."
    )


def test_a_keeps_the_time_it_was_scheduled_for_and_b_takes_the_slot_after_it(brand, owner):
    a, b = _pair(brand)
    wednesday_3pm = datetime(2026, 3, 4, 15, 0, tzinfo=NY)
    post_schedule(post=a, user=owner, at=wednesday_3pm)
    planned = ab.ab_schedule(post=b, user=owner, mode="slots")  # from B's page works the same
    assert [p.scheduled_for for p in planned.a] == [wednesday_3pm]
    assert [_local(p) for p in planned.b] == ["Thu 09:00"]
    assert Publication.objects.filter(post=a, status=PublicationStatus.SCHEDULED).count() == 1


def test_b_skips_slots_taken_by_the_brands_other_posts(brand, owner):
    other = _approved(brand, "Another post.")
    post_schedule(post=other, user=owner, at=datetime(2026, 3, 3, 10, 0, tzinfo=NY))
    a, _b = _pair(brand)
    planned = ab.ab_schedule(post=a, user=owner)
    assert [_local(p) for p in planned.a] == ["Tue 09:00"]
    assert [_local(p) for p in planned.b] == ["Wed 09:00"]


@pytest.fixture
def real_accounts(brand, owner, settings):
    from tests.fakes.linkedin_api import FakeLinkedIn

    fake_x, fake_linkedin = FakeX().start(), FakeLinkedIn().start()
    settings.X_API_BASE_URL, settings.LINKEDIN_API_BASE_URL = fake_x.url, fake_linkedin.url
    access, refresh = fake_x.issue_token(user_id=X_USER_ID, handle="ledgerly")
    x = connect(
        brand, owner, platform=Platform.X, uid=X_USER_ID, handle="ledgerly", access=access, refresh=refresh
    )
    linkedin = connect(
        brand,
        owner,
        platform=Platform.LINKEDIN,
        uid=LINKEDIN_MEMBER,
        handle="dana@ledgerly.example",
        access=fake_linkedin.issue_token(LINKEDIN_MEMBER),
    )
    yield x, linkedin
    fake_x.stop()
    fake_linkedin.stop()


def test_on_different_platforms_a_goes_to_x_and_b_to_linkedin_at_the_same_time(brand, owner, real_accounts):
    x, linkedin = real_accounts
    a, _b = _pair(brand, platforms=("x", "linkedin"))
    planned = ab.ab_schedule(post=a, user=owner, mode="platforms")
    assert [(p.platform, p.connection_id) for p in planned.a] == [("x", x.pk)]
    assert [(p.platform, p.connection_id) for p in planned.b] == [("linkedin", linkedin.pk)]
    assert planned.a[0].scheduled_for == planned.b[0].scheduled_for
    assert _local(planned.a[0]) == "Tue 09:00"


def test_different_platforms_needs_a_second_platform(brand, owner):
    a, b = _pair(brand)
    with pytest.raises(ValidationError, match="no other connected platform with copy for B"):
        ab.ab_schedule(post=a, user=owner, mode="platforms")
    assert not Publication.objects.filter(post__in=[a, b]).exists()  # nothing half-done


def test_a_draft_variant_cannot_be_scheduled(brand, owner):
    a, b = _pair(brand)
    Post.objects.filter(pk=b.pk).update(status=PostStatus.DRAFT)
    with pytest.raises(ValidationError, match="Variant B is draft; approve both variants first"):
        ab.ab_schedule(post=a, user=owner)
    assert not Publication.objects.filter(post__in=[a, b]).exists()


def test_a_post_without_a_variant_cannot_be_ab_scheduled(brand, owner):
    post = _approved(brand, "Alone.")
    with pytest.raises(ValidationError, match="create variant B first"):
        ab.ab_schedule(post=post, user=owner)


def test_the_page_schedules_both_and_says_when(brand, owner):
    a, _b = _pair(brand)
    client = Client()
    client.force_login(owner)
    page = post_page(client, a)
    assert "Schedule both" in page and 'value="slots" checked' in page
    response = client.post(
        reverse("publishing:ab_schedule", args=[a.pk]), {"mode": "slots"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A goes out Tue 3 Mar, 09:00 on Sandbox; B goes out Tue 3 Mar, 10:00 on Sandbox." in body
    assert "Schedule both" not in body  # both are on the calendar now


def test_the_api_schedules_both_on_different_slots(brand, owner):
    a, _b = _pair(brand)
    client = Client()
    client.force_login(owner)
    response = client.post(
        f"/api/v1/posts/{a.pk}/ab-schedule", {"mode": "slots"}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["a"][0]["scheduled_for"] != body["b"][0]["scheduled_for"]
    refused = client.post(
        f"/api/v1/posts/{a.pk}/ab-schedule", {"mode": "sideways"}, content_type="application/json"
    )
    assert refused.status_code == 422 and "different slots or different platforms" in refused.json()["detail"]
