"""Sandbox pages (/brand/<id>/sandbox/...): the timeline, a post, the model explained, images;
and an influencer's repost (/sandbox/r/<id>/)."""

from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("brand/<int:brand_id>/sandbox/", views.timeline, name="timeline"),
    path("brand/<int:brand_id>/sandbox/model/", views.model, name="model"),
    path("brand/<int:brand_id>/sandbox/p/<str:external_id>/", views.post_detail, name="post"),
    path("brand/<int:brand_id>/sandbox/media/<str:external_id>/", views.media_file, name="media"),
    path("sandbox/r/<str:external_id>/", views.repost_detail, name="repost"),
]
