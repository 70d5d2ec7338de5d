"""Analytics pages: the brand's numbers with charts and CSV export, and the platform's for staff."""

from django.http import Http404


def brand_analytics_current(request):
    raise Http404


def brand_analytics(request, brand_id: int):
    raise Http404


def brand_analytics_csv(request, brand_id: int):
    raise Http404


def staff_analytics(request):
    raise Http404
