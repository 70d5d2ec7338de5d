"""Influencer portal pages: home, profile editor, public profile page and its photo; the offers
inbox, an offer and the answers to it; collaborations (shared with the brand's members)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import influencer_required
from apps.core import zones
from apps.core.files import stored_file_response
from apps.notifications.selectors import notification_list

from . import selectors, services
from .charts import COLORS, svg_line, uplot_chart
from .forms import (
    AcceptForm,
    ApplyForm,
    CounterForm,
    DeclineForm,
    FollowerCountForm,
    InfluencerProfileForm,
    MessageForm,
)
from .forms_repost import RepostNowForm, RepostUrlForm
from .models import (
    OFFER_OPEN,
    Collaboration,
    CollaborationStatus,
    InfluencerProfile,
    Offer,
    OfferKind,
    OfferStatus,
)
from .money import from_minor
from .selectors import analytics as collab_analytics
from .selectors import reposts as repost_selectors
from .services import accounts as repost_accounts
from .services import repost_publish, repost_verify
from .services.rates import influencer_rate_set


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
            "inbox": selectors.influencer_inbox(profile=profile),
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
            **_repost_accounts_context(profile),
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
        profile = influencer_rate_set(
            profile=profile, rate_minor=data.get("rate_minor"), currency=data.get("rate_currency") or ""
        )
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
            **_reputation_context(profile),
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


# --- Offers: the inbox, one offer, the answers to it ------------------------------------------


def _service_errors(form, exc: ValidationError, *, fields: dict[str, str] | None = None) -> None:
    """A service's ValidationError next to the form's field (renamed by `fields`), else on top."""
    fields = fields or {}
    if not hasattr(exc, "error_dict"):
        for error in exc.messages:
            form.add_error(None, error)
        return
    for field, errors in exc.message_dict.items():
        target = fields.get(field, field)
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


@dataclass(frozen=True)
class PostPreview:
    """The brand's post as its audience saw it on the offer's platform."""

    text: str
    graphic: object | None  # a PostGraphic with a thumbnail, or None


def _post_preview(offer: Offer) -> PostPreview:
    """From prefetched copies and graphics. The sandbox publishes the X copy."""
    platform = "x" if offer.platform == "sandbox" else offer.platform
    copies = list(offer.post.copies.all())
    copy = next((c for c in copies if c.platform == platform), copies[0] if copies else None)
    text = ""
    if copy is not None:
        text = "\n\n".join(str(part) for part in copy.parts or []) or copy.caption
    graphic = next((g for g in offer.post.graphics.all() if g.thumbnail), None)
    return PostPreview(text=text, graphic=graphic)


def _with_previews(offers: list[Offer]) -> list[Offer]:
    # The inbox selector reads the offers with their brand and post; the post's copies and
    # graphics come in two more queries, whatever the number of offers.
    prefetch_related_objects(offers, "post__copies", "post__graphics")
    for offer in offers:
        offer.preview = _post_preview(offer)
    return offers


def _offer_or_404(profile: InfluencerProfile, offer_id: int) -> Offer:
    try:
        return selectors.offer_get_for_influencer(profile=profile, offer_id=offer_id)
    except Offer.DoesNotExist:
        raise Http404("No such offer.") from None


@influencer_required
@require_GET
def offer_inbox(request):
    profile = services.influencer_profile_get_or_create(user=request.user)
    inbox = selectors.influencer_inbox(profile=profile)
    direct = _with_previews(inbox.direct)
    open_calls = _with_previews(inbox.open_calls)
    context = {"direct": direct, "open_calls": open_calls, "profile": profile, "active": "offers"}
    if not direct and not open_calls:
        accounts = selectors.influencer_connected_accounts(user=request.user)
        context["completeness"] = selectors.influencer_profile_completeness(
            profile=profile, accounts=accounts
        )
    context["offer_count"] = len(direct) + sum(1 for o in open_calls if not o.applied)
    return render(request, "collaborations/offer_inbox.html", context)


def _offer_context(offer: Offer, profile: InfluencerProfile, **forms) -> dict:
    applied = None
    if offer.kind == OfferKind.OPEN_CALL:
        applied = next((a for a in offer.applications.all() if a.influencer_id == profile.pk), None)
    answerable = offer.status in OFFER_OPEN and offer.deadline > timezone.now()
    return {
        "offer": _with_previews([offer])[0],
        "profile": profile,
        "application": applied,
        "answerable": answerable,
        "can_accept": answerable and offer.kind == OfferKind.DIRECT and offer.status == OfferStatus.SENT,
        "can_counter": answerable and offer.kind == OfferKind.DIRECT and offer.counter_fee_minor is None,
        "can_apply": answerable and offer.kind == OfferKind.OPEN_CALL and applied is None,
        "collaboration": next((c for c in offer.collaborations.all() if c.influencer_id == profile.pk), None),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "counter_form": forms.get("counter_form") or CounterForm(currency=offer.currency),
        "apply_form": forms.get("apply_form") or ApplyForm(),
        "error_form": forms.get("error_form"),
        "active": "offers",
    }


@influencer_required
def offer_detail(request, offer_id: int):
    """The offer and the influencer's answers: accept, decline with a reason, counter once, or
    apply to an open call. A refused answer shows the form again, as typed, with its error."""
    profile = services.influencer_profile_get_or_create(user=request.user)
    offer = _offer_or_404(profile, offer_id)
    if request.method != "POST":
        return render(request, "collaborations/offer_detail.html", _offer_context(offer, profile))
    action = request.POST.get("action")
    forms = {}
    try:
        if action == "accept":
            form = forms["error_form"] = AcceptForm(request.POST)
            form.is_valid()
            collaboration = services.offer_accept(offer=offer, influencer=profile)
            messages.success(request, "Accepted: here is your collaboration.")
            return redirect("collaborations:collaboration_detail", collaboration.pk)
        if action == "decline":
            form = forms["decline_form"] = DeclineForm(request.POST)
            if form.is_valid():
                services.offer_decline(offer=offer, influencer=profile, reason=form.cleaned_data["reason"])
                messages.success(request, "Declined. The brand sees your reason.")
                return redirect("collaborations:offer_detail", offer.pk)
        elif action == "counter":
            form = forms["counter_form"] = CounterForm(request.POST, currency=offer.currency)
            if form.is_valid():
                services.offer_counter(offer=offer, influencer=profile, fee_minor=form.cleaned_data["fee"])
                messages.success(request, "Your fee is sent. The brand accepts or declines it.")
                return redirect("collaborations:offer_detail", offer.pk)
        elif action == "apply":
            form = forms["apply_form"] = ApplyForm(request.POST)
            if form.is_valid():
                services.open_call_apply(
                    offer=offer, influencer=profile, message=form.cleaned_data["message"]
                )
                messages.success(request, "Applied. The brand picks among the applicants.")
                return redirect("collaborations:offer_detail", offer.pk)
        else:
            raise Http404("Unknown answer.")
    except PermissionDenied:
        raise Http404("No such offer.") from None
    except ValidationError as exc:
        _service_errors(form, exc, fields={"fee_minor": "fee"})
    offer = _offer_or_404(profile, offer_id)  # as it is now, whatever was refused
    return render(
        request, "collaborations/offer_detail.html", _offer_context(offer, profile, **forms), status=422
    )


@influencer_required
@require_GET
def offer_graphic(request, offer_id: int, graphic_id: int):
    """The offered post's thumbnail, for whoever may see the offer (post graphics are not public)."""
    profile = services.influencer_profile_get_or_create(user=request.user)
    offer = _offer_or_404(profile, offer_id)
    graphic = offer.post.graphics.filter(pk=graphic_id).exclude(thumbnail="").first()
    if graphic is None:
        raise Http404("No such graphic.")
    try:
        stored = default_storage.open(graphic.thumbnail, "rb")
    except OSError:
        raise Http404("No file.") from None
    return stored_file_response(stored)


# --- Collaborations: shared by the influencer and the brand's members --------------------------


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    done_at: datetime | None
    due_at: datetime | None
    state: str  # done, current, todo, ended


STEP_ORDER = [
    (CollaborationStatus.ACCEPTED, "accepted_at", None),
    (CollaborationStatus.REPOSTED, "reposted_at", "repost_due_at"),
    (CollaborationStatus.VERIFIED, "verified_at", None),
    (CollaborationStatus.MEASURED, "measured_at", "measure_due_at"),
    (CollaborationStatus.COMPLETED, "completed_at", None),
    (CollaborationStatus.PAID, "paid_at", None),
]


def _steps(collaboration: Collaboration) -> list[Step]:
    """The path to paid, each step with its time or due date; a collaboration that ended early
    (missed, cancelled) shows that end after the last step it reached."""
    steps = []
    ended = collaboration.status in (CollaborationStatus.MISSED, CollaborationStatus.CANCELLED)
    current_found = False
    for status, done_field, due_field in STEP_ORDER:
        done_at = getattr(collaboration, done_field)
        due_at = getattr(collaboration, due_field) if due_field else None
        if done_at is not None:
            state = "done"
        elif ended:
            state = "ended"
        elif not current_found:
            state, current_found = "current", True
        else:
            state = "todo"
        steps.append(Step(status, CollaborationStatus(status).label, done_at, due_at, state))
    if ended:
        end = CollaborationStatus(collaboration.status)
        at = collaboration.missed_at or collaboration.cancelled_at
        reached = sum(1 for s in steps if s.state == "done")
        steps.insert(reached, Step(end, end.label, at, None, "stopped"))
        steps = steps[: reached + 1]
    return steps


def _collaboration_or_404(request, collaboration_id: int) -> Collaboration:
    try:
        return selectors.collaboration_get_for_user(user=request.user, collaboration_id=collaboration_id)
    except Collaboration.DoesNotExist:
        raise Http404("No such collaboration.") from None


@login_required
@require_GET
def collaboration_list(request):
    collaborations = list(selectors.collaboration_list_for_user(user=request.user))
    return render(
        request,
        "collaborations/collaboration_list.html",
        {"collaborations": collaborations, "active": "offers"},
    )


def _collaboration_context(
    request, collaboration: Collaboration, *, message_form=None, action_error="", repost_forms=None
):
    is_influencer = collaboration.influencer.user_id == request.user.pk
    return {
        **_repost_context(collaboration, is_influencer=is_influencer, forms=repost_forms),
        "collaboration": collaboration,
        "offer": collaboration.offer,
        "steps": _steps(collaboration),
        "ledger": list(collaboration.ledger_entries.select_related("created_by")),
        "thread": list(selectors.collaboration_messages(collaboration=collaboration)),
        "message_form": message_form or MessageForm(),
        "is_influencer": is_influencer,
        "can_mark_paid": not is_influencer and collaboration.status == CollaborationStatus.COMPLETED,
        "can_confirm_receipt": is_influencer
        and collaboration.status == CollaborationStatus.PAID
        and collaboration.receipt_confirmed_at is None,
        "action_error": action_error,
        "active": "offers",
    }


@login_required
def collaboration_detail(request, collaboration_id: int):
    """The steps, the fee and its ledger entries, the thread; the brand marks it paid and the
    influencer confirms receipt (the manual payment provider)."""
    collaboration = _collaboration_or_404(request, collaboration_id)
    if request.method == "POST":
        action = request.POST.get("action")
        pay = {
            "mark_paid": (services.collaboration_mark_paid, "Marked paid. The influencer confirms receipt."),
            "confirm_receipt": (services.collaboration_confirm_receipt, "Receipt confirmed. Thank you."),
        }
        if action not in pay:
            raise Http404("Unknown action.")
        service, done = pay[action]
        try:
            service(collaboration=collaboration, user=request.user)
        except PermissionDenied as exc:
            error = str(exc)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect("collaborations:collaboration_detail", collaboration.pk)
        collaboration = _collaboration_or_404(request, collaboration_id)
        context = _collaboration_context(request, collaboration, action_error=error)
        return render(request, "collaborations/collaboration_detail.html", context, status=422)
    return render(
        request, "collaborations/collaboration_detail.html", _collaboration_context(request, collaboration)
    )


@login_required
@require_POST
def collaboration_message(request, collaboration_id: int):
    """Post to the thread: htmx gets the new message to append and a fresh form; a plain POST
    goes back to the page. Both sides' open pages also get it live after the commit: the service
    pushes it (events.collaboration_message_push) to the thread's group, which the WebSocket
    consumer (consumers.CollaborationThreadConsumer, /ws/collaborations/<id>/) joins."""
    collaboration = _collaboration_or_404(request, collaboration_id)
    form = MessageForm(request.POST)
    message = None
    if form.is_valid():
        try:
            message = services.collaboration_message_post(
                collaboration=collaboration, user=request.user, body=form.cleaned_data["body"]
            )
        except PermissionDenied:
            raise Http404("No such collaboration.") from None
        except ValidationError as exc:
            _service_errors(form, exc)
    if request.htmx:
        return render(
            request,
            "collaborations/partials/message_posted.html",
            {
                "collaboration": collaboration,
                "message": message,
                "message_form": MessageForm() if message else form,
            },
        )
    if message is None:
        context = _collaboration_context(request, collaboration, message_form=form)
        return render(request, "collaborations/collaboration_detail.html", context, status=422)
    return redirect(reverse("collaborations:collaboration_detail", args=[collaboration.pk]) + "#thread")


# --- Analytics: the influencer's own numbers, and the public profile's reputation --------------------


def _reputation_context(profile: InfluencerProfile) -> dict:
    """The reputation history as an inline SVG line (no script) and the delivered collaborations'
    reach, for the public profile (two queries)."""
    events = list(collab_analytics.reputation_history(profile=profile))
    return {
        "reputation_events": events,
        "reputation_chart": svg_line(
            [float(e.score) for e in events],
            # no reason: it names the brand, and whom an influencer worked for is not public
            [
                f"{e.created_at:%d %b %Y}: {e.score} (a collaboration {e.components.get('ended', 'ended')})"
                for e in events
            ],
        ),
        "reputation_parts": events[-1].components if events else {},
        "delivered": collab_analytics.delivered_collaborations(profile=profile),
    }


def _influencer_charts(report: collab_analytics.InfluencerReport, zone) -> dict:
    weeks = report.engagement_weeks
    earnings = report.earnings_weeks
    palette = [COLORS["second"], COLORS["main"], COLORS["third"], COLORS["fourth"]]
    return {
        "engagement": uplot_chart(
            [w.start for w in weeks],
            zone=zone,
            bucket="week",
            kind="bars",
            series=[
                {
                    "label": "Engagement delivered",
                    "color": COLORS["main"],
                    "values": [w.engagements for w in weeks],
                }
            ],
        ),
        "earnings": uplot_chart(
            [p.start for p in earnings],
            zone=zone,
            bucket="week",
            kind="bars",
            series=[
                {
                    "label": f"Received ({currency})",
                    "color": palette[i % len(palette)],
                    # major units for the axis; the list beside the chart has the exact amounts
                    "values": [float(from_minor(p.amounts.get(currency, 0), currency)) for p in earnings],
                }
                for i, currency in enumerate(report.earnings_currencies)
            ],
        ),
        "reputation": uplot_chart(
            [e.created_at for e in report.reputation],
            zone=zone,
            bucket="day",
            series=[
                {
                    "label": "Reputation",
                    "color": COLORS["third"],
                    "format": "reward",
                    "values": [float(e.score) for e in report.reputation],
                }
            ],
        ),
    }


@influencer_required
@require_GET
def influencer_analytics(request):
    """Their reposts with numbers, engagement delivered per week, earnings from the ledger per
    currency and their reputation history, as charts."""
    profile = services.influencer_profile_get_or_create(user=request.user)
    zone = zones.zone(request.user.timezone or "UTC")
    report = collab_analytics.influencer_report(profile=profile, zone_name=zone.key)
    return render(
        request,
        "collaborations/influencer_analytics.html",
        {
            "profile": profile,
            "report": report,
            "charts": _influencer_charts(report, zone),
            "zone_name": zone.key,
            "active": "analytics",
        },
    )


# --- Reposts: through a linked account, or by the address of a post ------------------------------


def _repost_accounts_context(profile: InfluencerProfile) -> dict:
    accounts = repost_accounts.influencer_accounts_sync(profile=profile)
    return {"repost_accounts": accounts, "has_sandbox_account": any(a.is_sandbox for a in accounts)}


def _repost_context(collaboration: Collaboration, *, is_influencer: bool, forms: dict | None = None) -> dict:
    """The Repost card: for the influencer while a repost can be made (the two ways, the accounts
    on the offer's platform, the words prefilled with the tag and link the offer asks for), the
    latest repost's progress and check result for both sides."""
    repost = repost_selectors.repost_for(collaboration=collaboration)
    can_submit = is_influencer and repost_selectors.repost_can_submit(
        collaboration=collaboration, repost=repost
    )
    context = {
        "repost": repost,
        "repost_can_submit": can_submit,
        "repost_polling": repost is not None and repost.status in repost_selectors.REPOST_IN_PROGRESS,
    }
    if not can_submit:
        return context
    accounts = repost_selectors.repost_accounts(collaboration=collaboration)
    target = repost_selectors.repost_target(collaboration=collaboration)
    forms = forms or {}
    prefill = repost_selectors.repost_prefill(collaboration=collaboration, target=target)
    context.update(
        repost_accounts=accounts,
        repost_target=target,
        repost_now_form=forms.get("now") or RepostNowForm(accounts=accounts, initial={"text": prefill}),
        repost_url_form=forms.get("url") or RepostUrlForm(platform=collaboration.platform),
    )
    return context


def _influencer_collaboration_or_404(request, collaboration_id: int) -> Collaboration:
    collaboration = _collaboration_or_404(request, collaboration_id)
    if collaboration.influencer.user_id != request.user.pk:
        raise Http404("No such collaboration.")
    return collaboration


def _repost_answer(request, collaboration: Collaboration, *, forms: dict | None = None, status: int = 200):
    """htmx gets the card again; a plain POST goes back to the page (or shows the errors on it)."""
    if request.htmx:
        context = {"collaboration": collaboration, "offer": collaboration.offer, "is_influencer": True}
        context.update(_repost_context(collaboration, is_influencer=True, forms=forms))
        # htmx swaps only 2xx answers: a refused form comes back as 200 with its errors in place.
        return render(request, "collaborations/partials/repost_card.html", context)
    if forms:
        context = _collaboration_context(request, collaboration, repost_forms=forms)
        return render(request, "collaborations/collaboration_detail.html", context, status=status)
    return redirect(reverse("collaborations:collaboration_detail", args=[collaboration.pk]) + "#repost")


@login_required
@require_POST
def collaboration_repost_now(request, collaboration_id: int):
    """ "Repost now" through the influencer's linked account (queued for the worker)."""
    collaboration = _influencer_collaboration_or_404(request, collaboration_id)
    accounts = repost_selectors.repost_accounts(collaboration=collaboration)
    form = RepostNowForm(request.POST, accounts=accounts)
    if form.is_valid():
        try:
            repost_publish.repost_publish_request(
                collaboration=collaboration,
                user=request.user,
                account_id=form.cleaned_data["account"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, "Your repost is on its way; it is checked as soon as it is out.")
            return _repost_answer(request, _collaboration_or_404(request, collaboration_id))
    return _repost_answer(request, collaboration, forms={"now": form}, status=422)


@login_required
@require_POST
def collaboration_repost_url(request, collaboration_id: int):
    """The address of a post the influencer made themselves (checked by the worker)."""
    collaboration = _influencer_collaboration_or_404(request, collaboration_id)
    form = RepostUrlForm(request.POST, platform=collaboration.platform)
    if form.is_valid():
        try:
            repost_verify.repost_submit_url(
                collaboration=collaboration, user=request.user, url=form.cleaned_data["url"]
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        else:
            messages.success(request, "Thanks: your post is being checked.")
            return _repost_answer(request, _collaboration_or_404(request, collaboration_id))
    return _repost_answer(request, collaboration, forms={"url": form}, status=422)


@login_required
@require_GET
def collaboration_repost_card(request, collaboration_id: int):
    """The Repost card alone, for htmx to poll while the repost is sent or checked."""
    collaboration = _collaboration_or_404(request, collaboration_id)
    is_influencer = collaboration.influencer.user_id == request.user.pk
    context = {"collaboration": collaboration, "offer": collaboration.offer, "is_influencer": is_influencer}
    context.update(_repost_context(collaboration, is_influencer=is_influencer))
    return render(request, "collaborations/partials/repost_card.html", context)


@influencer_required
@require_POST
def sandbox_account_create(request):
    """ "Create my Sandbox account" on the profile page's connected accounts."""
    profile = services.influencer_profile_get_or_create(user=request.user)
    account = repost_accounts.influencer_sandbox_account_create(profile=profile)
    messages.success(request, f"Your Sandbox account @{account.handle} is ready: you can repost from it.")
    return redirect(reverse("collaborations:profile_edit") + "#accounts-title")
