"""Publishing's pages: its parts of a post page (`post`), its A/B card (`ab`), scheduling from the
posts list (`batch`) and the brand's calendar (`calendar`)."""
