from django.urls import path

from . import views, views_ledger

app_name = "collaborations"

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("profile/followers/<str:platform>/", views.follower_count_save, name="follower_count_save"),
    path("offers/", views.offer_inbox, name="offer_inbox"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:offer_id>/graphic/<int:graphic_id>/", views.offer_graphic, name="offer_graphic"),
    path("collaborations/", views.collaboration_list, name="collaboration_list"),
    path("ledger/statement.csv", views_ledger.influencer_statement, name="statement"),
    path("collaborations/<int:collaboration_id>/", views.collaboration_detail, name="collaboration_detail"),
    path(
        "collaborations/<int:collaboration_id>/messages/",
        views.collaboration_message,
        name="collaboration_message",
    ),
    path("analytics/", views.influencer_analytics, name="analytics"),
    path("@<slug:slug>/", views.public_profile, name="public_profile"),
    path("@<slug:slug>/photo", views.profile_photo, name="profile_photo"),
]
