"""API: the brands of the signed-in brand user."""

from ninja import Router, Status

from apps.accounts.access import api_require_role
from apps.accounts.models import Role

from . import selectors, services
from .schemas import BrandIn, BrandOut

router = Router(tags=["brands"])


@router.get("", response=list[BrandOut])
def brand_list(request):
    user = api_require_role(request, Role.BRAND)
    return list(selectors.brand_list_for_user(user=user))


@router.post("", response={201: BrandOut})
def brand_create(request, payload: BrandIn):
    user = api_require_role(request, Role.BRAND)
    return Status(201, services.brand_create(user=user, name=payload.name))


@router.get("/{brand_id}", response=BrandOut)
def brand_detail(request, brand_id: int):
    user = api_require_role(request, Role.BRAND)
    return selectors.brand_get_for_user(user=user, brand_id=brand_id)
