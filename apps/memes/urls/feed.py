"""Meme pages: the live feed, a meme's page and its actions, staff moderation and the staff analytics
page's meme activity (see apps/memes/urls/__init__.py)."""

from django.urls import path

from apps.memes.views import feed as views
from apps.memes.views import staff

urlpatterns = [
    path("memes/", views.feed_latest, name="feed"),
    path("memes/trending/", views.feed_trending, name="trending"),
    path("memes/<int:meme_id>/", views.meme_detail, name="detail"),
    path("memes/<int:meme_id>/image", views.meme_detail_image, name="detail_image"),
    path("memes/<int:meme_id>/vote", views.meme_vote, name="vote"),
    path("memes/<int:meme_id>/react", views.meme_react, name="react"),
    path("memes/<int:meme_id>/delete", views.meme_delete, name="delete"),
    path("memes/<int:meme_id>/publish", views.meme_publish, name="publish"),
    path("memes/<int:meme_id>/moderate", views.meme_moderate, name="moderate"),
    path("memes/moderation/", views.moderation, name="moderation"),
    path("memes/staff/activity/", staff.staff_activity, name="staff_activity"),
    path(
        "memes/moderation/templates/<int:template_id>/review", views.template_review, name="template_review"
    ),
]
