"""Trend pages for brands (/trends/...) and the staff operations page (/staff/trends/)."""

from django.urls import path

from . import views

app_name = "trends"

urlpatterns = [
    path("trends/recommendations/", views.recommendations, name="recommendations"),
    path("trends/drafts-hint/", views.drafts_hint, name="drafts_hint"),
    path("trends/<int:trend_id>/", views.trend_detail, name="detail"),
    path("trends/<int:trend_id>/dismiss/", views.trend_dismiss, name="dismiss"),
    path("trends/<int:trend_id>/undismiss/", views.trend_undismiss, name="undismiss"),
    path("staff/trends/", views.operations, name="operations"),
    path("staff/trends/refresh/", views.refresh, name="refresh"),
]
