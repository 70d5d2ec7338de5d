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
    path(
        "collaborations/<int:collaboration_id>/repost/", views.collaboration_repost_card, name="repost_card"
    ),
    path(
        "collaborations/<int:collaboration_id>/repost/now/", views.collaboration_repost_now, name="repost_now"
    ),
    path(
        "collaborations/<int:collaboration_id>/repost/url/", views.collaboration_repost_url, name="repost_url"
    ),
    path("profile/sandbox-account/", views.sandbox_account_create, name="sandbox_account_create"),
    path("@<slug:slug>/", views.public_profile, name="public_profile"),
    path("@<slug:slug>/photo", views.profile_photo, name="profile_photo"),
]
