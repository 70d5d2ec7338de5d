"""Reading a post's address: which platform it is on and the platform's id for it.

X: https://x.com/<user>/status/<id> (twitter.com, mobile. and www. too, /i/web/status/<id>);
LinkedIn: https://www.linkedin.com/feed/update/urn:li:share:<n>/ (or urn:li:activity:<n>,
urn:li:ugcPost:<n>, URL-encoded or not); the sandbox: a page of this site, a brand's sandbox post
(/brand/<id>/sandbox/p/<sbx_…>/) or an influencer's repost (/sandbox/r/<sbx_…>/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

X_HOSTS = {"x.com", "twitter.com", "mobile.x.com", "mobile.twitter.com", "www.x.com", "www.twitter.com"}
LINKEDIN_HOSTS = {"linkedin.com", "www.linkedin.com", "m.linkedin.com"}
_X_PATH = re.compile(r"^/(?:(?P<user>[A-Za-z0-9_]{1,15})|i/web|i)/status(?:es)?/(?P<id>\d{1,19})(?:/.*)?$")
_LINKEDIN_PATH = re.compile(r"^/feed/update/(?P<urn>urn:li:(?:share|activity|ugcPost):\d+)/?$")
_SANDBOX_PATH = re.compile(r"/sandbox/(?:.*/)?[pr]/(?P<id>sbx_[0-9a-f]{16})/?$")


@dataclass(frozen=True)
class PostAddress:
    platform: str  # x, linkedin, sandbox
    external_id: str
    handle: str = ""  # the X username in the address, when there is one


def post_url_parse(url: str, *, site_url: str = "") -> PostAddress | None:
    """The platform and id of a post's address, or None when it is not the address of a post
    (another site, a profile page, a malformed id). `site_url` is this site's own address: the
    sandbox's post pages live there."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    path = unquote(parts.path)
    if host in X_HOSTS:
        match = _X_PATH.match(path)
        if match:
            return PostAddress("x", match["id"], (match["user"] or "").lower())
        return None
    if host in LINKEDIN_HOSTS:
        match = _LINKEDIN_PATH.match(path)
        return PostAddress("linkedin", match["urn"]) if match else None
    site = urlsplit(site_url) if site_url else None
    if site and site.hostname and host == site.hostname.lower() and (parts.port == site.port):
        match = _SANDBOX_PATH.search(path)
        return PostAddress("sandbox", match["id"]) if match else None
    return None
