"""Meme pages: feed routes (see apps/memes/urls.py)."""

urlpatterns: list = []
