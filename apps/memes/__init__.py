"""Meme generator, meme API and the live meme feed."""
