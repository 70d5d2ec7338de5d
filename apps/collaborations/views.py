"""Influencer portal pages: home, profile editor, public profile page and its photo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import influencer_required
from apps.core.files import stored_file_response
from apps.notifications.selectors import notification_list

from . import selectors, services
from .forms import FollowerCountForm, InfluencerProfileForm
from .models import InfluencerProfile


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        if field == "count" and getattr(form, "platform", None):
            target = f"followers_{form.platform}"
        for error in errors:
            form.add_error(target, error)


def _sync_linked_follower_counts(profile: InfluencerProfile, accounts) -> InfluencerProfile:
    """Counts a linked account reports replace typed ones and are marked verified."""
    for platform, count in selectors.influencer_linked_follower_counts(accounts=accounts).items():
        entry = profile.follower_counts.get(platform) or {}
        if entry.get("count") != count or not entry.get("verified"):
            profile = services.influencer_set_follower_count(
                profile=profile, platform=platform, count=count, verified=True
            )
    return profile


def _own_profile(request) -> tuple[InfluencerProfile, list[selectors.ConnectedAccount]]:
    """The signed-in influencer's profile (made on the first visit) and their linked accounts."""
    profile = services.influencer_profile_get_or_create(user=request.user)
    accounts = selectors.influencer_connected_accounts(user=request.user)
    return _sync_linked_follower_counts(profile, accounts), accounts


def _owner_context(request, profile: InfluencerProfile, accounts) -> dict:
    return {
        "profile": profile,
        "accounts": accounts,
        "completeness": selectors.influencer_profile_completeness(profile=profile, accounts=accounts),
        "public_url": request.build_absolute_uri(
            reverse("collaborations:public_profile", args=[profile.slug])
        ),
        "initials": selectors.initials(profile.public_name),
    }


@influencer_required
def home(request):
    profile, accounts = _own_profile(request)
    return render(
        request,
        "collaborations/home.html",
        {
            **_owner_context(request, profile, accounts),
            "recent_notifications": notification_list(user=request.user)[:5],
            "active": "home",
        },
    )


@influencer_required
def profile_edit(request):
    profile, accounts = _own_profile(request)
    form = InfluencerProfileForm(request.POST or None, request.FILES or None, profile=profile)
    held_token, held_preview = "", ""
    if request.method == "POST":
        valid = form.is_valid()
        chosen = (form.cleaned_data or {}).get("photo")  # a new, valid photo (re-encoded)
        held_token = request.POST.get("photo_token", "")
        held = None
        if chosen is None:
            held = services.influencer_photo_held(profile=profile, token=held_token)
        if valid:
            try:
                profile = _save(profile, form, photo=chosen or held)
            except ValidationError as exc:
                profile.refresh_from_db()
                _add_errors(form, exc)
            else:
                services.influencer_photo_release(profile=profile, token=held_token)
                messages.success(request, "Your profile is saved.")
                return redirect("collaborations:profile_edit")
        # Not saved: the photo chosen is kept for the next try, so it need not be picked again.
        if chosen is not None:
            services.influencer_photo_release(profile=profile, token=held_token)
            held_token, held = services.influencer_photo_hold(profile=profile, photo=chosen), chosen
        if held is not None:
            held_preview = selectors.photo_preview_data_url(held)
        else:
            held_token = ""
    return render(
        request,
        "collaborations/profile_edit.html",
        {
            **_owner_context(request, profile, accounts),
            "form": form,
            "follower_rows": _follower_rows(form, profile),
            "bio_max": InfluencerProfileForm.base_fields["bio"].max_length,
            "photo_token": held_token,
            "photo_preview": held_preview,
            "active": "profile",
        },
    )


def _save(profile: InfluencerProfile, form: InfluencerProfileForm, *, photo) -> InfluencerProfile:
    """Everything or nothing: the form is valid, and a service refusing now rolls back."""
    data = form.cleaned_data
    with transaction.atomic():
        profile = services.influencer_profile_update(
            profile=profile,
            display_name=data["display_name"],
            handle=data["handle"],
            bio=data["bio"],
            audience_roles=data["audience_roles"],
            audience_industries=data["audience_industries"],
            audience_geographies=data["audience_geographies"],
            is_public=data["is_public"],
            photo=photo,
            remove_photo=data["remove_photo"] and photo is None,
        )
        for platform, count in form.follower_changes().items():
            profile = services.influencer_set_follower_count(profile=profile, platform=platform, count=count)
    return profile


def _follower_rows(form: InfluencerProfileForm, profile: InfluencerProfile) -> list[dict]:
    """Each platform's input with what is stored for it (count, verified, when)."""
    entries = selectors.influencer_follower_counts(profile=profile)
    return [{"field": form[f"followers_{e.platform}"], "entry": e} for e in entries]


@influencer_required
@require_POST
def follower_count_save(request, platform: str):
    """Save one platform's follower count: inline (HTMX row) from the editor, or a plain POST."""
    if platform not in services.PLATFORMS:
        raise Http404("Unknown platform.")
    profile = services.influencer_profile_get_or_create(user=request.user)
    form = FollowerCountForm(request.POST, platform=platform)
    saved = False
    if form.is_valid():
        try:
            profile = services.influencer_set_follower_count(
                profile=profile, platform=platform, count=form.count
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            saved = True
    label = selectors.PLATFORM_LABELS[platform]
    if not request.htmx:
        if saved:
            messages.success(request, f"{label} follower count saved.")
        else:
            messages.error(request, f"{label}: {' '.join(form.errors.get(f'followers_{platform}', []))}")
        return redirect("collaborations:profile_edit")
    # The row as saved, or with the value typed and its error (200 either way: htmx swaps it).
    rows = _follower_rows(InfluencerProfileForm(profile=profile), profile)
    row = next(r for r in rows if r["entry"].platform == platform)
    if not saved:
        row["field"] = form[f"followers_{platform}"]
    return render(
        request,
        "collaborations/partials/follower_row.html",
        {"row": row, "profile": profile, "saved": saved, "oob_total": True},
    )


def public_profile(request, slug: str):
    profile = selectors.influencer_profile_get_public(slug=slug, viewer=request.user)
    if profile.slug != slug:  # an old handle, or another case: one address per profile
        return HttpResponsePermanentRedirect(reverse("collaborations:public_profile", args=[profile.slug]))
    counts = selectors.influencer_follower_counts(profile=profile)
    return render(
        request,
        "collaborations/public_profile.html",
        {
            "profile": profile,
            "person": profile.user,
            "initials": selectors.initials(profile.public_name),
            "follower_rows": [row for row in counts if row.listed],
            "accounts": selectors.influencer_connected_accounts(user=profile.user),
            "is_owner": request.user.is_authenticated and request.user.pk == profile.user_id,
        },
    )


@require_GET
def profile_photo(request, slug: str):
    """The photo, through the same access rule as the page (a private profile's photo is not public)."""
    profile = selectors.influencer_profile_get_public(slug=slug, viewer=request.user)
    if profile.slug != slug:
        return HttpResponsePermanentRedirect(reverse("collaborations:profile_photo", args=[profile.slug]))
    # The URL carries a version (?v=), so a new photo is a new URL.
    return stored_file_response(
        profile.photo, public=profile.is_public, max_age=86400 if profile.is_public else 300
    )
