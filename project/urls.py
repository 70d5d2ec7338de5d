"""Top-level URLs: pages of each app, the JSON API, accounts (allauth), admin, health."""

from functools import partial

from django.contrib import admin
from django.urls import include, path
from ninja.openapi.views import openapi_view

from apps.accounts import views as accounts_views
from apps.core import views as core_views

from .api import api

admin.site.site_header = "social-medAI operations"
admin.site.site_title = "social-medAI admin"
admin.site.index_title = "Operations"

urlpatterns = [
    # The API first: its busiest endpoints (GET /api/v1/memes/trending) then skip the site's patterns.
    path("api/v1/", api.urls),
    path("", core_views.landing, name="landing"),
    path("portal/", accounts_views.portal, name="portal"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("metrics", core_views.metrics, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("settings/", include("apps.accounts.urls")),
    path("brand/", include("apps.brands.urls.brand")),
    path("brand/<int:brand_id>/connections/", include("apps.brands.urls.connections")),
    path("influencer/", include("apps.collaborations.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("posts/", include("apps.posts.urls")),
    path("", include("apps.posts.urls_brand")),  # /brand/<id>/posts/new/ (the composer)
    path("", include("apps.media.urls")),  # /brand/<id>/media/ (the media library)
    path("", include("apps.publishing.urls")),  # /brand/<id>/calendar/ …
    path("", include("apps.sandbox.urls")),  # /brand/<id>/sandbox/
    path("", include("apps.trends.urls")),  # /trends/... and /staff/trends/
    path("", include("apps.memes.urls")),  # /memes/...
    path("", include("apps.analytics.urls")),  # /brand/<id>/analytics/, /staff/analytics/
    path("", include("apps.learning.urls")),  # /brand/<id>/learning/
    path("", include("apps.collaborations.urls_brand")),  # /brand/<id>/influencers/, /brand/<id>/offers/
    path("webhooks/", include("apps.collaborations.urls_webhooks")),  # /webhooks/stripe/
    path("api/docs", partial(openapi_view, api=api), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "apps.core.views.error_400"
handler403 = "apps.core.views.error_403"
handler404 = "apps.core.views.error_404"
handler500 = "apps.core.views.error_500"
