"""Analytics pages: a brand's analytics (/brand/<id>/analytics/), its CSV export, and the
platform's analytics for staff (/staff/analytics/)."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("analytics/", views.brand_analytics_current, name="current"),
    path("brand/<int:brand_id>/analytics/", views.brand_analytics, name="brand"),
    path("brand/<int:brand_id>/analytics/export.csv", views.brand_analytics_csv, name="export"),
    path("staff/analytics/", views.staff_analytics, name="staff"),
]
