"""Signals of the brands app, for the apps above it to subscribe to (brands never imports them)."""

from django.dispatch import Signal

# A brand's industry, pillars or audience changed; sent inside the saving transaction with
# `brand`. The trends app rescores the brand (apps.trends.apps).
brand_profile_changed = Signal()
