"""Meme images: stored renders by content address, render-by-URL previews and template images
(see apps/memes/views_files.py)."""

from django.urls import re_path

from apps.memes import views_files
from apps.memes.generation import EXTENSIONS
from apps.memes.render import SIZES

_SIZE = "|".join(SIZES)
_EXT = "|".join(EXTENSIONS.values())

urlpatterns = [
    re_path(
        rf"^memes/r/(?P<key>[0-9a-f]{{64}})-(?P<size>{_SIZE})\.(?P<ext>{_EXT})$",
        views_files.stored_file,
        name="file",
    ),
    re_path(
        rf"^memes/render/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>{_EXT}|jpeg)$",
        views_files.render_by_url,
        name="render",
    ),
    re_path(
        r"^memes/t/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>jpg|jpeg|png|gif|webp)$",
        views_files.template_image,
        name="template_image",
    ),
]
