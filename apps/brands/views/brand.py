"""Brand portal pages: dashboard, create and switch brands, the onboarding wizard, brand settings,
members and invitations."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url
from PIL import Image

from apps.accounts.access import brand_user_required
from apps.brands import selectors, services
from apps.brands.forms import (
    TONE_HINTS,
    WEEKDAY_NAMES,
    AccountsForm,
    AudienceForm,
    BrandCreateForm,
    BrandDeleteForm,
    BrandStepForm,
    IdentityForm,
    IndustryForm,
    InviteForm,
    MemberRoleForm,
    NameForm,
    PillarsForm,
    PreferencesForm,
    RepeatedStepForm,
    VoiceForm,
)
from apps.brands.middleware import SESSION_BRAND_KEY
from apps.brands.models import Brand, BrandInvitation, BrandMembership, MembershipRole, OnboardingStep, Tone
from apps.brands.voice import voice_profile_summary
from apps.core.files import stored_file_response
from apps.core.images import image_clean_upload, image_dominant_colors
from apps.notifications.selectors import notification_list

LOGO_COLOR_COUNT = 5
# Suggestions closer than this (RGB distance) look alike on screen: show one of them.
DISTINCT_COLOR_DISTANCE = 48


def _remember_brand(request, brand: Brand) -> None:
    """Pages of a brand make it the one this session works on (no session write if it already is)."""
    if request.session.get(SESSION_BRAND_KEY) != brand.pk:
        request.session[SESSION_BRAND_KEY] = brand.pk


# --- The onboarding steps ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    title: str
    intro: str
    form_class: type[BrandStepForm]

    @property
    def label(self) -> str:
        return OnboardingStep(self.number).label

    @property
    def template(self) -> str:
        return f"brands/onboarding/steps/{self.slug}.html"


STEPS = {
    step.number: step
    for step in [
        Step(
            1,
            "name",
            "What is your brand called?",
            "This is how your brand appears across social-medAI.",
            NameForm,
        ),
        Step(
            2,
            "industry",
            "Which industry are you in?",
            "We match trends to your industry, so the recommendations fit what you do.",
            IndustryForm,
        ),
        Step(
            3,
            "identity",
            "Your logo and colours",
            "Generated images and memes use them. Upload a logo and we suggest colours from it.",
            IdentityForm,
        ),
        Step(
            4,
            "pillars",
            "What should your posts stand for?",
            "Messaging pillars: one to five short statements every post should support.",
            PillarsForm,
        ),
        Step(
            5,
            "audience",
            "Who do you want to reach?",
            "The people, places and company sizes your posts are written for. Press Enter after each.",
            AudienceForm,
        ),
        Step(
            6,
            "accounts",
            "Connect your social accounts",
            "Posts publish through the accounts you connect. The sandbox account is always there to "
            "try things safely; connecting X or LinkedIn can also wait until later.",
            AccountsForm,
        ),
        Step(
            7,
            "voice",
            "How do you sound?",
            "Paste up to five past posts and we learn your voice: length, emoji and hashtags, "
            "formality and recurring phrases. Optional.",
            VoiceForm,
        ),
        Step(
            8,
            "preferences",
            "When and how should we post?",
            "Your posting rhythm, time zone and the tone drafts start from.",
            PreferencesForm,
        ),
    ]
}
LAST_STEP = max(STEPS)
SETTINGS_SECTIONS = {STEPS[n].slug: STEPS[n] for n in (1, 2, 3, 4, 5, 7, 8)}


def _step_form(step: Step, brand: Brand, data=None, files=None) -> BrandStepForm:
    return step.form_class(data, files, brand=brand)


def _save_step(step: Step, *, brand: Brand, data: dict, action: str) -> Brand:
    """Call the one service that saves this part of the profile."""
    if step.slug == "name":
        return services.brand_set_name(brand=brand, name=data["name"])
    if step.slug == "industry":
        return services.brand_set_industry(
            brand=brand, industry_id=data["industry"], description=data["industry_description"]
        )
    if step.slug == "identity":
        token = data.get("logo_token", "")
        saved = services.brand_set_identity(
            brand=brand,
            primary_color=data["primary_color"],
            secondary_color=data["secondary_color"],
            logo=data["logo"] or services.brand_logo_stashed(brand=brand, token=token),
            remove_logo=data["remove_logo"],
        )
        services.brand_logo_stash_drop(brand=brand, token=token)
        return saved
    if step.slug == "pillars":
        return services.brand_set_pillars(
            brand=brand,
            pillars=data["pillars"],
            negative_topics=data.get("negative_topics"),
            banned_topics=data.get("banned_topics"),
        )
    if step.slug == "audience":
        return services.brand_set_audience(
            brand=brand,
            roles=data["roles"],
            geographies=data["geographies"],
            company_sizes=data["company_sizes"],
        )
    if step.slug == "accounts":
        return services.brand_skip_accounts(brand=brand)
    if step.slug == "voice":
        # Skipping keeps whatever samples there are (none for a new brand) and moves on.
        samples = brand.voice_samples if action == "skip" else data["samples"]
        return services.brand_set_voice_samples(brand=brand, samples=samples)
    if step.slug == "preferences":
        return services.brand_set_preferences(
            brand=brand,
            posts_per_week=data["posts_per_week"],
            preferred_days=data["preferred_days"],
            time_windows=data["time_windows"],
            timezone_name=data["timezone"],
            default_tone=data["default_tone"],
        )
    raise ValueError(f"unknown step {step.slug}")


def _add_errors(form, exc: ValidationError) -> None:
    """A service's {field: message} errors go next to their fields; others above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _submit_step(request, step: Step, brand: Brand):
    """Parse and save a step's form. Returns (form, saved, extra_rows)."""
    form = _step_form(step, brand, request.POST, request.FILES)
    action = request.POST.get("action", "")
    if action == "add" and isinstance(form, RepeatedStepForm):
        # "Add another" without JavaScript: show one more input, save nothing yet.
        return form, False, 1
    if form.is_valid():
        try:
            _save_step(step, brand=brand, data=form.cleaned_data, action=action)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return form, True, 0
    return form, False, 0


def _logo_colors(image: Image.Image) -> list[str]:
    """A handful of clearly different colours from a logo, most dominant first."""
    distinct: list[tuple[str, tuple[int, ...]]] = []
    for color in image_dominant_colors(image, LOGO_COLOR_COUNT * 2):
        rgb = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
        if min(rgb) >= 230:
            continue  # the paper the logo sits on, or its anti-aliased edge
        if all(
            sum((a - b) ** 2 for a, b in zip(rgb, kept, strict=True)) ** 0.5 >= DISTINCT_COLOR_DISTANCE
            for _, kept in distinct
        ):
            distinct.append((color, rgb))
    return [color for color, _ in distinct[:LOGO_COLOR_COUNT]]


def _logo_colors_saved(brand: Brand) -> list[str]:
    """Colours suggested from the brand's saved logo (computed once per logo file)."""
    if not brand.logo:
        return []
    key = f"brand-logo-colors:{brand.logo.name}"
    colors = cache.get(key)
    if colors is None:
        try:
            with brand.logo.open("rb") as handle:
                image = Image.open(handle)
                image.load()
            colors = _logo_colors(image)
        except (OSError, ValueError, Image.DecompressionBombError):
            colors = []
        cache.set(key, colors, 60 * 60 * 24)
    return colors


def _step_extras(step: Step, brand: Brand, form) -> dict:
    """What a step's fields need besides the form."""
    extras: dict = {}
    if isinstance(form, RepeatedStepForm):
        extras["max_rows"] = form.max_items
    if step.slug == "identity":
        extras["suggested_colors"] = _logo_colors_saved(brand)
    elif step.slug == "accounts":
        extras["connections"] = list(brand.connections.all())
    elif step.slug == "voice":
        extras["voice_summary"] = voice_profile_summary(brand.voice_profile)
        extras["x_connection"] = brand.connections.filter(platform="x", status="connected").first()
    elif step.slug == "preferences":
        extras["tones"] = [(value, label, TONE_HINTS[value]) for value, label in Tone.choices]
    return extras


def _furthest_step(brand: Brand) -> int:
    return LAST_STEP if brand.is_onboarded else int(brand.onboarding_step)


def _step_url(brand: Brand, number: int) -> str:
    return reverse("brands:onboarding_step", args=[brand.pk, number])


def _progress(brand: Brand, current: int) -> list[dict]:
    furthest = _furthest_step(brand)
    return [
        {
            "number": step.number,
            "label": step.label,
            "url": _step_url(brand, step.number),
            "current": step.number == current,
            "done": brand.is_onboarded or step.number < furthest,
            "reachable": step.number <= furthest,
        }
        for step in STEPS.values()
    ]


def _htmx_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _render_wizard(request, brand: Brand, step: Step, form, extra_rows: int = 0):
    context = {
        "brand": brand,
        "step": step,
        "form": form,
        "rows": form.rows(extra_rows) if isinstance(form, RepeatedStepForm) else None,
        "progress": _progress(brand, step.number),
        "total_steps": LAST_STEP,
        "percent": round(step.number * 100 / LAST_STEP),
        "step_url": _step_url(brand, step.number),
        "back_url": _step_url(brand, step.number - 1) if step.number > 1 else None,
        "active": "dashboard",
        **_step_extras(step, brand, form),
    }
    if _htmx_partial(request):
        response = render(request, "brands/onboarding/partials/panel.html", {**context, "partial": True})
        push_url(response, context["step_url"])
    else:
        response = render(request, "brands/onboarding/wizard.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@brand_user_required
def onboarding(request, brand_id: int):
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    if brand.is_onboarded:
        return redirect("brands:onboarding_done", brand.pk)
    return redirect(_step_url(brand, _furthest_step(brand)))


@brand_user_required
def onboarding_step(request, brand_id: int, step: int):
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    if step not in STEPS:
        raise Http404("No such step.")
    _remember_brand(request, brand)
    furthest = _furthest_step(brand)
    if step > furthest:
        messages.info(request, f"Finish “{STEPS[furthest].label}” first.")
        return redirect(_step_url(brand, furthest))
    spec = STEPS[step]
    if request.method != "POST":
        return _render_wizard(request, brand, spec, _step_form(spec, brand))
    form, saved, extra_rows = _submit_step(request, spec, brand)
    if not saved:
        return _render_wizard(request, brand, spec, form, extra_rows)
    if step == LAST_STEP:
        done = reverse("brands:onboarding_done", args=[brand.pk])
        messages.success(request, f"{brand.name} is set up.")
        return HttpResponseClientRedirect(done) if request.htmx else redirect(done)
    return redirect(_step_url(brand, step + 1))


def _profile_summary(brand: Brand) -> dict:
    return {
        "days": [WEEKDAY_NAMES[d] for d in brand.preferred_days if 0 <= d < len(WEEKDAY_NAMES)],
        "voice": voice_profile_summary(brand.voice_profile),
    }


@brand_user_required
def onboarding_done(request, brand_id: int):
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    if not brand.is_onboarded:
        return redirect(_step_url(brand, _furthest_step(brand)))
    return render(
        request,
        "brands/onboarding/done.html",
        {
            "brand": brand,
            "summary": _profile_summary(brand),
            "connections": list(brand.connections.all()),
            "active": "dashboard",
        },
    )


# --- Logo ---------------------------------------------------------------------------------------


@brand_user_required
def brand_logo(request, brand_id: int):
    """The brand's logo, for members only (uploads are not public files)."""
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    return stored_file_response(brand.logo)


def _thumbnail_data_url(image: Image.Image) -> str:
    preview = image.copy()
    preview.thumbnail((160, 160))
    if preview.mode not in ("RGB", "RGBA"):
        preview = preview.convert("RGBA")
    out = io.BytesIO()
    preview.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@brand_user_required
@require_POST
def logo_colors(request, brand_id: int):
    """Colours suggested from a logo the user just picked. The cleaned file is kept under a token
    the step's form sends on save instead of uploading the file again; nothing is saved until then."""
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    context: dict = {"brand": brand, "logo_errors": [], "suggested_colors": [], "preview": ""}
    upload = request.FILES.get("logo")
    if upload is None:
        context["suggested_colors"] = _logo_colors_saved(brand)
    else:
        context["logo_token_swap"] = True  # a new pick replaces (or, refused, clears) the token
        try:
            clean = image_clean_upload(upload, name="logo")
        except ValidationError as exc:
            context["logo_errors"] = exc.messages
        else:
            context["suggested_colors"] = _logo_colors(clean.image)
            context["preview"] = _thumbnail_data_url(clean.image)
            context["logo_token"] = services.brand_logo_stash(brand=brand, clean=clean)
    return render(request, "brands/partials/logo_suggestions.html", context)


# --- Dashboard, create, switch ------------------------------------------------------------------


@brand_user_required
def dashboard(request):
    brand = request.brand or None
    setup_step = None
    if brand is not None and not brand.is_onboarded:
        setup_step = STEPS[_furthest_step(brand)]
    return render(
        request,
        "brands/dashboard.html",
        {
            "brand": brand,
            "brands": selectors.brand_list_for_user(user=request.user),
            "form": BrandCreateForm(),
            "recent_notifications": notification_list(user=request.user)[:5],
            "setup_step": setup_step,
            "total_steps": LAST_STEP,
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
            messages.success(request, f"“{brand.name}” is created. A few questions and it's ready.")
            return redirect(_step_url(brand, _furthest_step(brand)))
    return render(request, "brands/brand_create.html", {"form": form, "active": "dashboard"})


@brand_user_required
@require_POST
def brand_switch(request, brand_id: int):
    brand = selectors.brand_get_for_user(user=request.user, brand_id=brand_id)
    request.session[SESSION_BRAND_KEY] = brand.pk
    messages.info(request, f"Now working on “{brand.name}”.")
    return redirect("brands:dashboard")


# --- Settings -----------------------------------------------------------------------------------


def _section_open(brand: Brand, step: Step) -> bool:
    """Settings edit what the wizard has saved; later steps are still the wizard's to ask."""
    return brand.is_onboarded or step.number < brand.onboarding_step


def _section_context(request, brand: Brand, step: Step, form=None, extra_rows: int = 0, saved: str = ""):
    form = form if form is not None else _step_form(step, brand)
    return {
        "section": step,
        "form": form,
        "rows": form.rows(extra_rows) if isinstance(form, RepeatedStepForm) else None,
        "open": _section_open(brand, step),
        "saved": saved,
        "action_url": reverse("brands:settings_section", args=[brand.pk, step.slug]),
        "wizard_url": _step_url(brand, step.number),
        **_step_extras(step, brand, form),
    }


def _render_settings(request, membership: BrandMembership, *, bound=None, delete_form=None, saved=""):
    """The settings page; `bound` is (step, form, extra_rows) for a section that was just posted."""
    brand = membership.brand
    _remember_brand(request, brand)
    sections = []
    for step in SETTINGS_SECTIONS.values():
        if bound and bound[0] is step:
            sections.append(_section_context(request, brand, step, bound[1], bound[2]))
        else:
            message = f"{step.label} saved." if saved == step.slug else ""
            sections.append(_section_context(request, brand, step, saved=message))
    connections = list(brand.connections.all())
    return render(
        request,
        "brands/settings.html",
        {
            "brand": brand,
            "sections": sections,
            "connections": connections,
            "is_owner": membership.role == MembershipRole.OWNER,
            "delete_form": delete_form or BrandDeleteForm(brand=brand),
            "setup_step": None if brand.is_onboarded else STEPS[_furthest_step(brand)],
            "total_steps": LAST_STEP,
            "brand_tab": "settings",
            "active": "dashboard",
        },
    )


@brand_user_required
def brand_settings(request, brand_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    return _render_settings(request, membership, saved=request.GET.get("saved", ""))


@brand_user_required
def settings_section(request, brand_id: int, section: str):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    brand = membership.brand
    step = SETTINGS_SECTIONS.get(section)
    if step is None:
        raise Http404("No such section.")
    settings_url = reverse("brands:settings", args=[brand.pk])
    if request.method != "POST":
        return redirect(f"{settings_url}#{step.slug}")
    if not _section_open(brand, step):
        messages.info(request, f"Set “{step.label}” in the setup first.")
        target = _step_url(brand, _furthest_step(brand))
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    form, saved, extra_rows = _submit_step(request, step, brand)
    if saved:
        if not _htmx_partial(request):
            # The confirmation shows in the section itself, where the eye is after the jump.
            return redirect(f"{settings_url}?saved={step.slug}#{step.slug}")
        context = _section_context(request, brand, step, saved=f"{step.label} saved.")
    else:
        context = _section_context(request, brand, step, form, extra_rows)
    if _htmx_partial(request):
        response = render(request, "brands/partials/settings_section.html", {"brand": brand, "sec": context})
        patch_vary_headers(response, ("HX-Request",))
        return response
    return _render_settings(request, membership, bound=(step, form, extra_rows))


@brand_user_required
@require_POST
def brand_delete(request, brand_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    brand = membership.brand
    form = BrandDeleteForm(request.POST, brand=brand)
    if not form.is_valid():
        return _render_settings(request, membership, delete_form=form)
    name = brand.name
    try:
        services.brand_delete(brand=brand, user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Only an owner of the brand can delete it.")
        return redirect("brands:settings", brand_id)
    if request.session.get(SESSION_BRAND_KEY) == brand_id:
        request.session.pop(SESSION_BRAND_KEY)
    messages.success(request, f"“{name}” and everything in it is deleted.")
    return redirect("brands:dashboard")


@brand_user_required
@require_POST
def brand_approvals(request, brand_id: int):
    """The "posts need approval" setting (owners only)."""
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    required = request.POST.get("posts_need_approval") in ("on", "1", "true")
    try:
        services.brand_set_posts_need_approval(brand=membership.brand, user=request.user, required=required)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Posts now need approval by an owner or approver."
            if required
            else "Posts no longer need approval: any member approves them.",
        )
    return redirect(reverse("brands:settings", args=[brand_id]) + "#approvals")


# --- Members and invitations ----------------------------------------------------------------------


def _render_members(request, membership: BrandMembership, invite_form=None):
    brand = membership.brand
    _remember_brand(request, brand)
    members = list(brand.memberships.select_related("user").order_by("created_at", "pk"))
    invitations = list(
        brand.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related(
            "invited_by"
        )
    )
    owners = sum(1 for m in members if m.role == MembershipRole.OWNER)
    return render(
        request,
        "brands/members.html",
        {
            "brand": brand,
            "members": members,
            "invitations": invitations,
            "owner_count": owners,
            "me": membership,
            "is_owner": membership.role == MembershipRole.OWNER,
            "invite_form": invite_form or InviteForm(),
            "roles": MembershipRole.choices,
            "now": timezone.now(),
            "brand_tab": "members",
            "active": "dashboard",
        },
    )


def _refused(request, exc: Exception, brand_id: int):
    """A refused member action: say why on the members page, change nothing."""
    if isinstance(exc, PermissionDenied):
        text = str(exc) or "Only an owner of the brand can do this."
    else:
        text = " ".join(exc.messages)
    messages.error(request, text)
    return redirect("brands:members", brand_id)


@brand_user_required
def members(request, brand_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    return _render_members(request, membership)


@brand_user_required
@require_POST
def member_invite(request, brand_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.brand_invite(
                brand=membership.brand,
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except PermissionDenied as exc:
            return _refused(request, exc, brand_id)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}.",
            )
            return redirect("brands:members", brand_id)
    return _render_members(request, membership, invite_form=form)


def _member_of(brand: Brand, membership_id: int) -> BrandMembership:
    target = brand.memberships.select_related("user", "brand").filter(pk=membership_id).first()
    if target is None:
        raise Http404("No such member.")
    return target


@brand_user_required
@require_POST
def member_role(request, brand_id: int, membership_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    target = _member_of(membership.brand, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner or editor.")
        return redirect("brands:members", brand_id)
    try:
        services.brand_member_set_role(membership=target, user=request.user, role=form.cleaned_data["role"])
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, exc, brand_id)
    messages.success(request, f"{target.user.email} is now {target.get_role_display().lower()}.")
    return redirect("brands:members", brand_id)


@brand_user_required
@require_POST
def member_remove(request, brand_id: int, membership_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    target = _member_of(membership.brand, membership_id)
    try:
        services.brand_member_remove(membership=target, user=request.user)
    except (PermissionDenied, ValidationError) as exc:
        return _refused(request, exc, brand_id)
    if target.user_id == request.user.pk:
        request.session.pop(SESSION_BRAND_KEY, None)
        messages.success(request, f"You left “{membership.brand.name}”.")
        return redirect("brands:dashboard")
    messages.success(request, f"{target.user.email} no longer has access to {membership.brand.name}.")
    return redirect("brands:members", brand_id)


@brand_user_required
@require_POST
def invitation_revoke(request, brand_id: int, invitation_id: int):
    membership = selectors.brand_membership_get(user=request.user, brand_id=brand_id)
    invitation = (
        BrandInvitation.objects.select_related("brand")
        .filter(brand=membership.brand, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        services.brand_invitation_revoke(invitation=invitation, user=request.user)
    except PermissionDenied as exc:
        return _refused(request, exc, brand_id)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("brands:members", brand_id)


# --- Accepting an invitation --------------------------------------------------------------------


def invitation(request, token: str):
    """An invitation link: shows what it is; accepting needs the invited address signed in."""
    from django.contrib.auth.views import redirect_to_login

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
