"""Meme pages: maker routes (see apps/memes/urls/__init__.py)."""

from django.urls import path

from apps.memes.views import maker as maker_views

urlpatterns = [
    path("memes/make/", maker_views.maker, name="make"),
    path("memes/make/templates", maker_views.maker_results, name="make_templates"),
    path("memes/make/preview", maker_views.maker_preview, name="make_preview"),
    path("memes/make/captions", maker_views.maker_captions, name="make_captions"),
    path("memes/mine/", maker_views.mine, name="mine"),
    path("memes/mine/<int:meme_id>/delete", maker_views.mine_delete, name="mine_delete"),
    path("memes/mine/<int:meme_id>/publish", maker_views.mine_publish, name="mine_publish"),
    path("memes/templates/new/", maker_views.template_upload, name="template_upload"),
]
