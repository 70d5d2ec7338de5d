"""API: the brands of the signed-in brand user."""

from django.core.exceptions import PermissionDenied
from ninja import Router, Status
from ninja.errors import HttpError

from apps.accounts.access import api_require_role
from apps.accounts.models import Role

from . import selectors, services
from .schemas import ApprovalsIn, BrandIn, BrandOut

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


@router.put("/{brand_id}/approvals", response=BrandOut)
def brand_approvals(request, brand_id: int, payload: ApprovalsIn):
    """Turn "posts need approval" on or off (owners only: 403 for other members)."""
    user = api_require_role(request, Role.BRAND)
    brand = selectors.brand_get_for_user(user=user, brand_id=brand_id)
    try:
        return services.brand_set_posts_need_approval(
            brand=brand, user=user, required=payload.posts_need_approval
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
