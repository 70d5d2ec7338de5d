"""The ledger statement as a CSV download, for each side: the influencer's entries and a brand's
(one of its members only: another brand is a 404). The same selector serves the API's statements."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from apps.accounts.access import brand_user_required, influencer_required
from apps.brands.selectors import brand_get_for_user

from .selectors import ledger_entries_for_brand, ledger_entries_for_influencer, ledger_statement_csv
from .services import influencer_profile_get_or_create


def _csv(entries, filename: str) -> HttpResponse:
    response = HttpResponse(ledger_statement_csv(entries=entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@influencer_required
@require_GET
def influencer_statement(request):
    profile = influencer_profile_get_or_create(user=request.user)
    return _csv(ledger_entries_for_influencer(profile=profile), f"statement-{profile.slug}.csv")


@brand_user_required
@require_GET
def brand_statement(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    return _csv(ledger_entries_for_brand(brand=brand), f"statement-{brand.slug}.csv")
