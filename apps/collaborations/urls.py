from django.urls import path

from . import views

app_name = "collaborations"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/followers/<str:platform>/", views.follower_count_save, name="follower_count_save"),
    path("@<slug:slug>/", views.public_profile, name="public_profile"),
    path("@<slug:slug>/photo", views.profile_photo, name="profile_photo"),
]
