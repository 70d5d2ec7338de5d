"""Meme pages, one module per part: the feed and a meme's page (feed), the maker and own memes
(maker), stored and rendered image files (files)."""
