"""Each request's brand (`request.brand`) and time zone: the current brand's for brand users, the
user's own otherwise."""

from __future__ import annotations

from datetime import tzinfo

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from apps.core.zones import zone

from . import selectors
from .models import Brand

SESSION_BRAND_KEY = "current_brand_id"
_MEMO = "_current_brand_memo"


def request_brand(request) -> Brand | None:
    """The brand this browser session works on (the remembered one if still the user's, else their
    first), looked up once per request and again only if the remembered brand changes."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    brand_id = request.session.get(SESSION_BRAND_KEY)
    memo = getattr(request, _MEMO, None)
    if memo is None or memo[0] != brand_id:
        memo = (brand_id, selectors.brand_current_for_user(user=user, brand_id=brand_id))
        setattr(request, _MEMO, memo)
    return memo[1]


def request_timezone_name(request) -> str:
    """The zone a signed-in person reads times in: a brand user the brand's (until they have a
    brand, their own); an influencer or operator their own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return timezone.get_default_timezone_name()
    if user.is_brand:
        brand = request_brand(request)
        if brand is not None:
            return brand.timezone
    return user.timezone


class CurrentBrandMiddleware:
    """Sets `request.brand`: the brand this browser session works on (see `request_brand`), or None.

    Lazy, so a page that never reads it costs no query. Being a proxy, a missing brand is falsy but
    not `None` itself: test it with `if not request.brand`, and pass `request.brand or None` on
    where a real None is expected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.brand = SimpleLazyObject(lambda: request_brand(request))
        return self.get_response(request)


class ReaderZone(tzinfo):
    """The reader's zone, found the first time a time is shown. Most brand pages have looked up
    their brand already (then this costs nothing), and a page that shows no time never asks; so
    the middleware adds no query to a page."""

    def __init__(self, request):
        self._request = request
        self._zone: tzinfo | None = None

    @property
    def zone(self) -> tzinfo:
        if self._zone is None:
            self._zone = zone(request_timezone_name(self._request))
        return self._zone

    def utcoffset(self, dt):
        return self.zone.utcoffset(dt)

    def dst(self, dt):
        return self.zone.dst(dt)

    def tzname(self, dt):
        return self.zone.tzname(dt)

    def fromutc(self, dt):
        return self.zone.fromutc(dt.replace(tzinfo=self.zone))

    def __str__(self) -> str:
        return str(self.zone)  # the zone's name, as timezone.get_current_timezone_name() reads it

    def __reduce__(self):
        # A datetime made aware in this zone (a form's input) pickles with the zone, not the request.
        return zone, (str(self.zone),)


class TimeZoneMiddleware:
    """Activates the reader's zone for the whole request, so every `{{ when|date }}` and
    `timezone.localtime()` shows their local time and no page mixes UTC with local times."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(ReaderZone(request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
