"""Sign-up with a role, email verification, login and password reset through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from apps.accounts.models import Role, User
from tests.factories import PASSWORD, BrandUserFactory

pytestmark = pytest.mark.django_db

# allauth's emails leave after commit (through Celery): run each request's commit callbacks.


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    class CommittingClient:
        def __getattr__(self, name):
            attr = getattr(client, name)
            if name not in ("get", "post"):
                return attr

            def call(*args, **kwargs):
                with django_capture_on_commit_callbacks(execute=True):
                    return attr(*args, **kwargs)

            return call

    return CommittingClient()


GOOD = "a-Long-enough-passphrase-42"


def signup(client, **overrides):
    data = {"email": "new@example.com", "role": "brand", "password1": GOOD, "password2": GOOD}
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_signup_as_brand_creates_a_brand_user_and_sends_a_verification_email(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.role == Role.BRAND
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].body.lower()
    assert not EmailAddress.objects.get(user=user).verified


def test_signup_as_influencer_stores_the_influencer_role(client):
    signup(client, email="ivy@example.com", role="influencer")
    assert User.objects.get(email="ivy@example.com").role == Role.INFLUENCER


def test_missing_role_is_an_error_next_to_the_role_field(client):
    response = signup(client, role="")
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == ["Choose Brand or Influencer."]
    assert not User.objects.exists()


def test_unknown_role_is_refused(client):
    response = signup(client, role="staff")
    assert "role" in response.context["form"].errors
    assert not User.objects.exists()


def test_duplicate_email_is_an_error_next_to_the_email_field(client):
    BrandUserFactory(email="taken@example.com")
    response = signup(client, email="Taken@Example.com")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_weak_password_is_an_error_next_to_the_password_field(client):
    response = signup(client, password1="password", password2="password")
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


def test_login_is_refused_until_the_email_is_verified_then_lands_in_the_portal(client):
    signup(client)
    client.logout()
    login = client.post(reverse("account_login"), {"login": "new@example.com", "password": GOOD})
    assert login.status_code == 302
    assert login.url == reverse("account_email_verification_sent")

    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified

    client.logout()
    login = client.post(reverse("account_login"), {"login": "new@example.com", "password": GOOD})
    assert login.url == reverse("brands:dashboard")


def test_influencer_logs_in_to_the_influencer_portal(client):
    from tests.factories import InfluencerFactory

    user = InfluencerFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.url == reverse("collaborations:home")


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = BrandUserFactory(email="forgot@example.com")
    client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(action, {"password1": GOOD, "password2": GOOD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)


def test_a_user_row_without_a_role_must_be_staff():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="nobody@example.com", password=GOOD, role="")
    assert User.objects.create_superuser(email="op@example.com", password=GOOD).role == ""


def test_the_verification_email_names_the_product_and_its_address(client, settings):
    settings.SITE_URL = "https://app.example.com"
    signup(client)
    body = mail.outbox[0].body
    assert "register an account on social-medAI (app.example.com)." in body
    assert " on ." not in body
