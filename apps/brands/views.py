"""Brand portal pages: dashboard, create a brand, switch the current brand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required
from apps.notifications.selectors import notification_list

from . import selectors, services
from .forms import BrandCreateForm

SESSION_BRAND_KEY = "current_brand_id"


def current_brand(request):
    """The brand this browser session works on (remembered across pages)."""
    return selectors.brand_current_for_user(
        user=request.user, brand_id=request.session.get(SESSION_BRAND_KEY)
    )


@brand_user_required
def dashboard(request):
    brand = current_brand(request)
    return render(
        request,
        "brands/dashboard.html",
        {
            "brand": brand,
            "brands": selectors.brand_list_for_user(user=request.user),
            "form": BrandCreateForm(),
            "recent_notifications": notification_list(user=request.user)[:5],
            "active": "dashboard",
        },
    )


@brand_user_required
def brand_create(request):
    form = BrandCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            brand = services.brand_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            for error in exc.message_dict.get("name", exc.messages):
                form.add_error("name", error)
        else:
            request.session[SESSION_BRAND_KEY] = brand.pk
            messages.success(request, f"“{brand.name}” is created and selected.")
            return redirect("brands:dashboard")
    return render(request, "brands/brand_create.html", {"form": form, "active": "dashboard"})


@brand_user_required
@require_POST
def brand_switch(request, brand_id: int):
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    request.session[SESSION_BRAND_KEY] = brand.pk
    messages.info(request, f"Now working on “{brand.name}”.")
    return redirect("brands:dashboard")


def invitation(request, token: str):
    """An invitation link: shows what it is; accepting needs the invited address signed in."""
    from django.contrib.auth.views import redirect_to_login

    from .models import BrandInvitation

    invite = BrandInvitation.objects.select_related("brand", "invited_by").filter(token=token).first()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = services.brand_invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            request.session[SESSION_BRAND_KEY] = membership.brand_id
            messages.success(
                request, f"You joined “{membership.brand.name}” as {membership.get_role_display().lower()}."
            )
            return redirect("brands:dashboard")
    return render(request, "brands/invitation.html", {"invitation": invite}, status=200 if invite else 404)
