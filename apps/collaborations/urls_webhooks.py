"""Webhooks of outside services about the marketplace: /webhooks/stripe/."""

from django.urls import path

from . import webhooks

app_name = "collaborations_webhooks"

urlpatterns = [path("stripe/", webhooks.stripe_webhook, name="stripe")]
