"""A page as a browser with htmx shows it: the page, with each fragment it fetches on load
(`hx-get` + `hx-trigger="load"`, swapped outerHTML) put in place of its slot. Pages compose other
apps' parts this way (a post page's publish panel, the dashboard's trends)."""

from __future__ import annotations

import html
import re

SLOT = re.compile(
    r'<(section|div)\b[^>]*?\bhx-get="(?P<url>[^"]+)"[^>]*?\bhx-trigger="load"[^>]*>.*?</\1>', re.DOTALL
)


def page_with_fragments(client, url: str) -> str:
    page = client.get(url).content.decode()

    def fetched(match: re.Match) -> str:
        response = client.get(html.unescape(match.group("url")), HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (match.group("url"), response.status_code)
        return response.content.decode()

    return SLOT.sub(fetched, page)
