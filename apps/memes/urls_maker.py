"""Meme pages: maker routes (see apps/memes/urls.py)."""

urlpatterns: list = []
