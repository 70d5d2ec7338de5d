"""Meme pages: maker routes (see apps/memes/urls.py)."""

from django.urls import path

from apps.memes import views_maker

urlpatterns = [
    path("memes/make/", views_maker.maker, name="make"),
    path("memes/make/templates", views_maker.maker_results, name="make_templates"),
    path("memes/make/preview", views_maker.maker_preview, name="make_preview"),
    path("memes/make/captions", views_maker.maker_captions, name="make_captions"),
    path("memes/mine/", views_maker.mine, name="mine"),
    path("memes/mine/<int:meme_id>/delete", views_maker.mine_delete, name="mine_delete"),
    path("memes/mine/<int:meme_id>/publish", views_maker.mine_publish, name="mine_publish"),
    path("memes/templates/new/", views_maker.template_upload, name="template_upload"),
]
