"""The one place that says who may open what, by role: decorators for views, checks for the API."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from ninja.errors import HttpError

from .models import Role, User

PORTAL_URL_NAMES = {
    Role.BRAND: "brands:dashboard",
    Role.INFLUENCER: "collaborations:home",
}


def portal_url_for(user: User) -> str:
    """Where a signed-in user belongs: their role's portal, or the admin for staff."""
    if user.role in PORTAL_URL_NAMES:
        return reverse(PORTAL_URL_NAMES[user.role])
    if user.is_staff:
        return reverse("admin:index")
    return reverse("landing")


def role_required(role: Role):
    """Only signed-in users of `role`; others see a 403 page that points to their own portal."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role != role:
                return render(
                    request,
                    "403_role.html",
                    {"needed_role": role.label, "portal_url": portal_url_for(user)},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


brand_user_required = role_required(Role.BRAND)
influencer_required = role_required(Role.INFLUENCER)


def staff_required(view):
    """Staff pages do not exist for anyone else (404, not 403)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def api_require_role(request, role: Role) -> User:
    """For API endpoints: the authenticated user, or a 403 JSON error naming the role needed."""
    user = request.auth if isinstance(request.auth, User) else request.user
    if user.role != role:
        raise HttpError(403, f"This endpoint is for {role.label.lower()} accounts.")
    return user
