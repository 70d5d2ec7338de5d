"""Meme pages: files routes (see apps/memes/urls.py)."""

urlpatterns: list = []
