"""Linked accounts of a brand: list, connect through OAuth, disconnect, import voice samples."""

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required
from apps.accounts.signals import SESSION_CONNECT_BRAND, SESSION_CONNECT_RETURN
from apps.brands import connections as services
from apps.brands.models import Platform, SocialConnection
from apps.brands.selectors import brand_get_for_user


def _next_url(request, brand) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return f"/brand/{brand.pk}/connections/"


@brand_user_required
def connection_list(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    return render(
        request,
        "brands/connections/list.html",
        {"brand": brand, "connections": brand.connections.all(), "next_url": request.get_full_path()},
    )


@brand_user_required
@require_POST
def connect(request, brand_id: int, platform: str):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    if platform not in services.PROVIDER_IDS:
        raise Http404("No such platform.")
    back = _next_url(request, brand)
    missing = services.connection_missing_settings(platform)
    if missing:
        messages.error(request, f"{Platform(platform).label} is not configured: set {' and '.join(missing)}.")
        return redirect(back)
    request.session[SESSION_CONNECT_BRAND] = brand.pk
    request.session[SESSION_CONNECT_RETURN] = back
    provider = get_social_adapter().get_provider(request, services.PROVIDER_IDS[platform])
    return provider.redirect(request, AuthProcess.CONNECT, next_url=back)


def _brand_and_connection(request, brand_id: int, connection_id: int):
    """The brand (if the user is a member) and one of its connections; otherwise 404."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    return brand, get_object_or_404(SocialConnection, brand=brand, pk=connection_id)


@brand_user_required
@require_POST
def disconnect(request, brand_id: int, connection_id: int):
    brand, connection = _brand_and_connection(request, brand_id, connection_id)
    try:
        services.connection_disconnect(connection=connection, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
    else:
        messages.success(
            request, f"{connection.get_platform_display()} @{connection.handle} is disconnected."
        )
    return redirect(_next_url(request, brand))


@brand_user_required
@require_POST
def import_voice(request, brand_id: int, connection_id: int):
    brand, connection = _brand_and_connection(request, brand_id, connection_id)
    try:
        posts = services.brand_import_voice_from_x(brand=brand, connection=connection)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, f"Imported {len(posts)} latest posts of @{connection.handle} as voice samples."
        )
    if request.htmx:  # pressed inside an htmx form (the wizard): a full page load of where it came from
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _next_url(request, brand)
        return response
    return redirect(_next_url(request, brand))
