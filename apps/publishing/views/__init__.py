"""Publishing's pages: its parts of a post page (`post`), its A/B card (`ab`), scheduling from the
posts list (`batch`), the brand's calendar (`calendar`) and its iCal feed (`feed`), and posts in
and out as CSV (`csv_posts`)."""
