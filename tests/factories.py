"""factory_boy factories for every model the tests need."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.brands.models import Brand, BrandMembership, MembershipRole, Platform, SocialConnection
from apps.collaborations.models import InfluencerProfile
from apps.notifications.models import Notification
from apps.posts.models import Post
from apps.publishing.models import Publication, PublicationStatus

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.BRAND
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class BrandUserFactory(UserFactory):
    role = Role.BRAND


class InfluencerFactory(UserFactory):
    role = Role.INFLUENCER


class StaffFactory(UserFactory):
    role = ""
    is_staff = True
    is_superuser = True


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    created_by = None

    @factory.post_generation
    def sandbox(obj, create, extracted, **kwargs):
        # Every brand has its sandbox account from the start (as brand_create makes it).
        if create and extracted is not False:
            SocialConnection.objects.get_or_create(
                brand=obj, platform=Platform.SANDBOX, defaults={"handle": obj.slug, "display_name": obj.name}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandMembership

    brand = factory.SubFactory(BrandFactory)
    user = factory.SubFactory(BrandUserFactory)
    role = MembershipRole.OWNER


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(BrandUserFactory)
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."


# --- Marketplace (apps.collaborations) ----------------------------------------------------------


class InfluencerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InfluencerProfile

    user = factory.SubFactory(InfluencerFactory)
    slug = factory.Sequence(lambda n: f"creator-{n}")
    display_name = factory.Faker("name")
    audience_roles = factory.LazyFunction(lambda: ["Founders"])
    audience_industries = factory.LazyFunction(lambda: ["Fintech"])
    audience_geographies = factory.LazyFunction(lambda: ["UK"])
    follower_counts = factory.LazyFunction(lambda: {"x": {"count": 5000, "verified": True}})


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    brand = factory.SubFactory(BrandFactory)
    tone = "friendly"
    status = "draft"


class PublishedPostFactory(PostFactory):
    """A post with a publication that went out on the brand's sandbox account."""

    class Meta:
        skip_postgeneration_save = True

    status = "published"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def publication(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        Publication.objects.create(
            post=obj,
            brand=obj.brand,
            platform="sandbox",
            copy_platform="x",
            status=PublicationStatus.PUBLISHED,
            scheduled_for=obj.published_at,
            due_at=obj.published_at,
            published_at=obj.published_at,
        )
