"""Meme pages, mounted at the site root by project.urls (namespace "memes")."""

from django.urls import include, path

app_name = "memes"

urlpatterns = [
    path("", include("apps.memes.urls.files")),  # /memes/r/… stored files, /memes/render/… previews
    path("", include("apps.memes.urls.feed")),  # /memes/ live feed, votes, reactions
    path("", include("apps.memes.urls.maker")),  # /memes/make/, /memes/mine/, uploads
]
