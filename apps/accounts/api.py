"""API: the signed-in user and their personal tokens."""

from ninja import Router, Status

from . import selectors, services
from .schemas import ApiTokenCreatedOut, ApiTokenIn, ApiTokenOut, MeOut

router = Router(tags=["account"])


@router.get("/me", response=MeOut)
def me(request):
    return request.auth


@router.get("/tokens", response=list[ApiTokenOut])
def token_list(request):
    return list(selectors.api_token_list(user=request.auth))


@router.post("/tokens", response={201: ApiTokenCreatedOut})
def token_create(request, payload: ApiTokenIn):
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=ApiTokenOut)
def token_revoke(request, token_id: int):
    token = selectors.api_token_get(user=request.auth, token_id=token_id)
    return services.api_token_revoke(token=token)
