"""Meme images: stored renders by content address, render-by-URL previews and template images
(see apps/memes/views/files.py)."""

from django.urls import re_path

from apps.memes.generation import EXTENSIONS
from apps.memes.render import SIZES
from apps.memes.views import files as file_views

_SIZE = "|".join(SIZES)
_EXT = "|".join(EXTENSIONS.values())

urlpatterns = [
    re_path(
        rf"^memes/r/(?P<key>[0-9a-f]{{64}})-(?P<size>{_SIZE})\.(?P<ext>{_EXT})$",
        file_views.stored_file,
        name="file",
    ),
    re_path(
        rf"^memes/render/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>{_EXT}|jpeg)$",
        file_views.render_by_url,
        name="render",
    ),
    re_path(
        r"^memes/t/(?P<slug>[-a-zA-Z0-9_]+)\.(?P<ext>jpg|jpeg|png|gif|webp)$",
        file_views.template_image,
        name="template_image",
    ),
]
