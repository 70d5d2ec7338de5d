"""Analytics pages: a brand's analytics (/brand/<id>/analytics/), its CSV export, and the
platform's analytics for staff (/staff/analytics/)."""

from django.urls import path

from . import views_analytics

app_name = "analytics"

urlpatterns = [
    path("analytics/", views_analytics.brand_analytics_current, name="current"),
    path("brand/<int:brand_id>/analytics/", views_analytics.brand_analytics, name="brand"),
    path("brand/<int:brand_id>/analytics/export.csv", views_analytics.brand_analytics_csv, name="export"),
    path("staff/analytics/", views_analytics.staff_analytics, name="staff"),
]
