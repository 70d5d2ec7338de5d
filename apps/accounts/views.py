"""Account pages: the portal redirect, and the settings (profile, email preference, personal API
tokens)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .access import portal_url_for
from .forms import ApiTokenForm, ProfileForm


@login_required
def portal(request):
    """Where "my portal" goes: the signed-in user's own home (brand, influencer or staff)."""
    return redirect(portal_url_for(request.user))


@login_required
def settings_page(request):
    user = request.user
    profile_form = ProfileForm(
        request.POST or None,
        initial={
            "display_name": user.display_name,
            "email_notifications": user.email_notifications,
            "timezone": user.timezone,
        },
    )
    if request.method == "POST" and profile_form.is_valid():
        data = profile_form.cleaned_data
        services.user_update_profile(
            user=user,
            display_name=data["display_name"],
            email_notifications=data["email_notifications"],
            timezone_name=data["timezone"] or None,
        )
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"profile_form": profile_form, "active": "settings"})


@login_required
def tokens_page(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request, f"Token “{token.name}” created. Copy it now: it will not be shown again."
            )
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": selectors.api_token_list(user=request.user),
            "active": "tokens",
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = selectors.api_token_get(user=request.user, token_id=token_id)
    services.api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked. Anything using it is now refused.")
    return redirect("accounts:tokens")
