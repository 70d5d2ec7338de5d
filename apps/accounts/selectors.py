"""Read queries for accounts."""

from django.db.models import QuerySet

from .models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    """A token of this user; another user's token is simply not found."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ApiToken, pk=token_id, user=user)
