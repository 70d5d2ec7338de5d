"""Offers and open calls: a brand proposes a repost of one of its published posts for a fee; the
influencer accepts, declines or counters once; an open call takes applications and the brand picks
one per slot. Every service checks everything before it writes, so a refused action changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.brands.models import Brand, BrandMembership
from apps.core import vocabulary
from apps.core.text import tags_clean
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.posts.models import Post
from apps.publishing.models import Publication, PublicationStatus

from ..models import (
    OFFER_OPEN,
    Application,
    ApplicationStatus,
    Collaboration,
    InfluencerProfile,
    Offer,
    OfferKind,
    OfferStatus,
)
from ..money import MAX_AMOUNT_MINOR, currency_clean, money_format
from .ledger import ledger_collaboration_open

INBOX_URL = "/influencer/offers/"
MAX_SLOTS = 100
MAX_MESSAGE = 2000
# After acceptance the influencer has this long to repost; the numbers are final a week later.
REPOST_WINDOW = timedelta(days=3)
MEASURE_WINDOW = timedelta(days=7)
CRITERIA_LISTS = ("roles", "industries", "geographies")
# The influencer is reminded once when an unanswered offer's deadline is this close.
REMIND_BEFORE = timedelta(hours=24)
REMIND_TITLE = "An offer's deadline is in 24 hours"
# An applicant still waiting to be picked is reminded once, 24 hours before an open call closes.
OPEN_CALL_REMIND_TITLE = "An open call you applied to closes in 24 hours"
# When an open call is created, matching public profiles are told of it by a task after the commit,
# in batches, biggest audiences first, and at most OPEN_CALL_NOTIFY_CAP influencers per call: an open
# call is for a few slots, and hundreds of applicants are already more than a brand reads. The
# notification (its link to the offer and its title) records who was told, so no one hears twice.
OPEN_CALL_NOTIFY_CAP = 500
OPEN_CALL_NOTIFY_BATCH = 100
OPEN_CALL_TITLE_PREFIX = "New open call from "


# --- Checks shared by the services ------------------------------------------------------------


def _member_check(*, user: User, brand_id: int) -> None:
    if not BrandMembership.objects.filter(user=user, brand_id=brand_id).exists():
        raise PermissionDenied("Only the brand's members can do this.")


def brand_member_users(*, brand_id: int) -> list[User]:
    return [m.user for m in BrandMembership.objects.filter(brand_id=brand_id).select_related("user")]


def brand_offers_url(*, brand_id: int) -> str:
    return reverse("collaborations_brand:offers", kwargs={"brand_id": brand_id})


def collaboration_url(*, collaboration: Collaboration) -> str:
    """The page both sides share."""
    return reverse("collaborations:collaboration_detail", kwargs={"collaboration_id": collaboration.pk})


def _notify_brand(*, brand_id: int, title: str, body: str = "", url: str = "") -> None:
    for user in brand_member_users(brand_id=brand_id):
        notification_create(user=user, title=title, body=body, url=url)


def _fee_clean(fee_minor, *, field: str = "fee_minor") -> int:
    if isinstance(fee_minor, bool) or not isinstance(fee_minor, int):
        raise ValidationError({field: "Give the fee as a whole number of the currency's minor unit (cents)."})
    if fee_minor <= 0:
        raise ValidationError({field: "The fee must be more than zero."})
    if fee_minor > MAX_AMOUNT_MINOR:
        raise ValidationError({field: "The fee is too large."})
    return fee_minor


def _terms_clean(*, brand: Brand, post: Post, fee_minor, currency, deadline, platform, message) -> dict:
    """Every term of an offer, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    clean: dict = {}
    try:
        clean["fee_minor"] = _fee_clean(fee_minor)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        clean["currency"] = currency_clean(currency)
    except ValueError as exc:
        errors["currency"] = str(exc)
    if not isinstance(deadline, datetime) or timezone.is_naive(deadline):
        errors["deadline"] = "Give the deadline as a date and time with its time zone."
    elif deadline <= timezone.now():
        errors["deadline"] = "The deadline has passed: choose a time in the future."
    if platform not in vocabulary.PLATFORMS:
        errors["platform"] = "Choose X, LinkedIn or Sandbox."
    if len(message or "") > MAX_MESSAGE:
        errors["message"] = f"Keep the message to {MAX_MESSAGE:,} characters."
    if post.brand_id != brand.pk:
        errors["post"] = "That post is not one of this brand's."
    elif not Publication.objects.filter(post=post, status=PublicationStatus.PUBLISHED).exists():
        errors["post"] = "Only a published post can be offered for reposting."
    if errors:
        raise ValidationError(errors)
    return {**clean, "deadline": deadline, "platform": platform, "message": (message or "").strip()}


def criteria_clean(criteria: dict | None) -> dict:
    """Open-call criteria: lists of roles, industries, geographies (any one matches) and a
    minimum follower count on the offer's platform."""
    criteria = dict(criteria or {})
    unknown = set(criteria) - {*CRITERIA_LISTS, "min_followers"}
    if unknown:
        raise ValidationError({"criteria": f"Unknown criteria: {', '.join(sorted(unknown))}."})
    clean: dict = {}
    for key in CRITERIA_LISTS:
        try:
            clean[key] = tags_clean(criteria.get(key) or [])
        except ValidationError as exc:
            raise ValidationError({"criteria": exc.messages}) from None
    minimum = criteria.get("min_followers") or 0
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        raise ValidationError({"criteria": "The minimum follower count is a whole number, 0 or more."})
    clean["min_followers"] = minimum
    return clean


def open_call_matches(*, offer: Offer, profile: InfluencerProfile) -> bool:
    """The influencer's audience meets every criterion the open call sets."""
    criteria = offer.criteria or {}
    theirs = {
        "roles": profile.audience_roles,
        "industries": profile.audience_industries,
        "geographies": profile.audience_geographies,
    }
    for key in CRITERIA_LISTS:
        wanted = {v.lower() for v in criteria.get(key) or []}
        if wanted and not wanted & {v.lower() for v in theirs[key] or []}:
            return False
    minimum = criteria.get("min_followers") or 0
    if minimum:
        # The sandbox publishes the X copy, so X followers count for it.
        platform = "x" if offer.platform == "sandbox" else offer.platform
        count = int((profile.follower_counts.get(platform) or {}).get("count") or 0)
        if count < minimum:
            return False
    return True


def _any_tag(field_name: str, tags: list[str]) -> Q:
    """The profile's JSON list holds one of the tags, any case (on the list's text: a superset that
    open_call_matches then decides exactly)."""
    q = Q()
    for tag in tags:
        q |= Q(**{f"{field_name}__icontains": json.dumps(tag, ensure_ascii=False)})
    return q


def open_call_candidates(*, offer: Offer) -> QuerySet[InfluencerProfile]:
    """Public profiles of active influencers that may match the open call: the database narrows by
    each criterion list and by the total follower count (never below the count on one platform);
    open_call_matches has the last word. Biggest audiences first, then by id (a stable walk)."""
    criteria = offer.criteria or {}
    profiles = InfluencerProfile.objects.filter(is_public=True, user__is_active=True)
    for key in CRITERIA_LISTS:
        if criteria.get(key):
            profiles = profiles.filter(_any_tag(f"audience_{key}", criteria[key]))
    if criteria.get("min_followers"):
        profiles = profiles.filter(followers_total__gte=criteria["min_followers"])
    return profiles.order_by("-followers_total", "pk")


def _locked_offer(offer: Offer) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("brand", "influencer__user")
        .get(pk=offer.pk)
    )


def _answerable_check(offer: Offer, *, now: datetime) -> None:
    """The offer can still be answered: a clear reason why not otherwise."""
    if offer.status == OfferStatus.ACCEPTED:
        raise ValidationError("This offer is already accepted.")
    if offer.status == OfferStatus.WITHDRAWN:
        raise ValidationError("The brand withdrew this offer.")
    if offer.status == OfferStatus.FILLED:
        raise ValidationError("Every slot of this open call is taken.")
    if offer.status == OfferStatus.DECLINED:
        raise ValidationError("This offer was declined.")
    if offer.status == OfferStatus.EXPIRED or offer.deadline <= now:
        raise ValidationError("This offer's deadline has passed.")


def _own_offer_check(offer: Offer, influencer: InfluencerProfile) -> None:
    if offer.kind != OfferKind.DIRECT or offer.influencer_id != influencer.pk:
        raise PermissionDenied("This offer is not yours.")


def _collaboration_open(
    *,
    offer: Offer,
    influencer: InfluencerProfile,
    fee_minor: int,
    now: datetime,
    user: User | None,
    application: Application | None = None,
) -> Collaboration:
    collaboration = Collaboration.objects.create(
        offer=offer,
        application=application,
        brand_id=offer.brand_id,
        influencer=influencer,
        fee_minor=fee_minor,
        currency=offer.currency,
        platform=offer.platform,
        accepted_at=now,
        repost_due_at=now + REPOST_WINDOW,
        measure_due_at=now + REPOST_WINDOW + MEASURE_WINDOW,
    )
    ledger_collaboration_open(collaboration=collaboration, user=user)
    return collaboration


def _started_body(collaboration: Collaboration) -> str:
    """What both sides are told when a collaboration starts: the agreed fee and the repost's due date."""
    return (
        f"{money_format(collaboration.fee_minor, collaboration.currency)}; the repost is due by "
        f"{collaboration.repost_due_at:%d %b %Y}."
    )


def _offer_accepted(
    offer: Offer, *, influencer: InfluencerProfile, fee_minor: int, now: datetime, user: User
) -> Collaboration:
    """A direct offer (locked, answerable) is accepted at `fee_minor`: the influencer took the
    offered fee or the brand took the counter-offer; either way the collaboration starts."""
    offer.status, offer.responded_at = OfferStatus.ACCEPTED, now
    offer.save(update_fields=["status", "responded_at", "updated_at"])
    return _collaboration_open(offer=offer, influencer=influencer, fee_minor=fee_minor, now=now, user=user)


# --- Direct offers ----------------------------------------------------------------------------


@transaction.atomic
def offer_send(
    *,
    brand: Brand,
    user: User,
    post: Post,
    influencers: Iterable[InfluencerProfile],
    fee_minor: int,
    currency: str,
    deadline: datetime,
    platform: str,
    tag_brand: bool = True,
    keep_link: bool = True,
    message: str = "",
) -> list[Offer]:
    """One direct offer to each chosen influencer (all or none); each is notified."""
    _member_check(user=user, brand_id=brand.pk)
    terms = _terms_clean(
        brand=brand,
        post=post,
        fee_minor=fee_minor,
        currency=currency,
        deadline=deadline,
        platform=platform,
        message=message,
    )
    chosen = list({p.pk: p for p in influencers}.values())
    if not chosen:
        raise ValidationError({"influencers": "Choose at least one influencer."})
    live = set(
        Offer.objects.filter(
            post=post,
            influencer__in=chosen,
            kind=OfferKind.DIRECT,
            status__in=[*OFFER_OPEN, OfferStatus.ACCEPTED],
        ).values_list("influencer__slug", flat=True)
    )
    if live:
        names = ", ".join(f"@{slug}" for slug in sorted(live))
        raise ValidationError({"influencers": f"{names} already has an offer for this post."})
    offers = []
    try:
        with transaction.atomic():
            for profile in chosen:
                offers.append(
                    Offer.objects.create(
                        brand=brand,
                        post=post,
                        kind=OfferKind.DIRECT,
                        influencer=profile,
                        tag_brand=tag_brand,
                        keep_link=keep_link,
                        created_by=user,
                        **terms,
                    )
                )
    except IntegrityError:  # another member sent the same offer a moment ago
        raise ValidationError({"influencers": "One of them already has an offer for this post."}) from None
    for offer in offers:
        notification_create(
            user=offer.influencer.user,
            title=f"New offer from {brand.name}",
            body=f"{money_format(offer.fee_minor, offer.currency)} to repost on "
            f"{vocabulary.platform_label(offer.platform)}; answer by {offer.deadline:%d %b %Y %H:%M} UTC.",
            url=INBOX_URL,
        )
    return offers


@transaction.atomic
def offer_withdraw(*, offer: Offer, user: User) -> Offer:
    """The brand takes back an offer or open call that no one has accepted yet."""
    _member_check(user=user, brand_id=offer.brand_id)
    offer = _locked_offer(offer)
    if offer.status == OfferStatus.ACCEPTED or offer.status == OfferStatus.FILLED:
        raise ValidationError("This offer is accepted: it can no longer be withdrawn.")
    if offer.status not in OFFER_OPEN:
        raise ValidationError(f"This offer is {offer.get_status_display().lower()}: nothing to withdraw.")
    offer.status, offer.withdrawn_at = OfferStatus.WITHDRAWN, timezone.now()
    offer.save(update_fields=["status", "withdrawn_at", "updated_at"])
    # Whoever was waiting on it is told: the influencer of a direct offer, an open call's applicants.
    waiting = [offer.influencer.user] if offer.kind == OfferKind.DIRECT else []
    if offer.kind == OfferKind.OPEN_CALL:
        applied = offer.applications.filter(status=ApplicationStatus.APPLIED)
        waiting = [a.influencer.user for a in applied.select_related("influencer__user")]
        applied.update(status=ApplicationStatus.NOT_PICKED, decided_at=offer.withdrawn_at)
    for user in waiting:
        notification_create(
            user=user,
            title=f"{offer.brand.name} withdrew its offer",
            body=f"The {'open call' if offer.kind == OfferKind.OPEN_CALL else 'offer'} of "
            f"{money_format(offer.fee_minor, offer.currency)} is no longer open.",
            url=INBOX_URL,
        )
    return offer


@transaction.atomic
def offer_accept(*, offer: Offer, influencer: InfluencerProfile) -> Collaboration:
    """The influencer takes a direct offer at its fee: the collaboration starts."""
    offer = _locked_offer(offer)
    _own_offer_check(offer, influencer)
    now = timezone.now()
    _answerable_check(offer, now=now)
    if offer.status == OfferStatus.COUNTERED:
        raise ValidationError("Your counter-offer waits for the brand's answer.")
    collaboration = _offer_accepted(
        offer, influencer=influencer, fee_minor=offer.fee_minor, now=now, user=influencer.user
    )
    _notify_brand(
        brand_id=offer.brand_id,
        title=f"@{influencer.slug} accepted your offer",
        body=_started_body(collaboration),
        url=collaboration_url(collaboration=collaboration),
    )
    return collaboration


@transaction.atomic
def offer_decline(*, offer: Offer, influencer: InfluencerProfile, reason: str) -> Offer:
    offer = _locked_offer(offer)
    _own_offer_check(offer, influencer)
    _answerable_check(offer, now=timezone.now())
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say in a few words why, so the brand can do better."})
    if len(reason) > 1000:
        raise ValidationError({"reason": "Keep the reason to 1,000 characters."})
    offer.status, offer.decline_reason, offer.responded_at = OfferStatus.DECLINED, reason, timezone.now()
    offer.save(update_fields=["status", "decline_reason", "responded_at", "updated_at"])
    _notify_brand(
        brand_id=offer.brand_id,
        title=f"@{influencer.slug} declined your offer",
        body=reason,
        url=brand_offers_url(brand_id=offer.brand_id),
    )
    return offer


@transaction.atomic
def offer_counter(*, offer: Offer, influencer: InfluencerProfile, fee_minor: int) -> Offer:
    """Propose another fee, once per offer; the brand accepts or declines it."""
    offer = _locked_offer(offer)
    _own_offer_check(offer, influencer)
    _answerable_check(offer, now=timezone.now())
    if offer.counter_fee_minor is not None:
        raise ValidationError({"fee_minor": "You have made your counter-offer: one round per offer."})
    fee_minor = _fee_clean(fee_minor)
    if fee_minor == offer.fee_minor:
        raise ValidationError({"fee_minor": "That is the offered fee: accept the offer instead."})
    offer.status, offer.counter_fee_minor, offer.countered_at = (
        OfferStatus.COUNTERED,
        fee_minor,
        timezone.now(),
    )
    offer.save(update_fields=["status", "counter_fee_minor", "countered_at", "updated_at"])
    _notify_brand(
        brand_id=offer.brand_id,
        title=f"@{influencer.slug} proposed another fee",
        body=f"{money_format(fee_minor, offer.currency)} instead of "
        f"{money_format(offer.fee_minor, offer.currency)}.",
        url=brand_offers_url(brand_id=offer.brand_id),
    )
    return offer


def _countered_locked(offer: Offer, user: User) -> Offer:
    _member_check(user=user, brand_id=offer.brand_id)
    offer = _locked_offer(offer)
    _answerable_check(offer, now=timezone.now())
    if offer.status != OfferStatus.COUNTERED:
        raise ValidationError("There is no counter-offer waiting for an answer.")
    return offer


@transaction.atomic
def counter_accept(*, offer: Offer, user: User) -> Collaboration:
    """The brand takes the influencer's fee: the collaboration starts at it."""
    offer = _countered_locked(offer, user)
    collaboration = _offer_accepted(
        offer, influencer=offer.influencer, fee_minor=offer.counter_fee_minor, now=timezone.now(), user=user
    )
    notification_create(
        user=offer.influencer.user,
        title=f"{offer.brand.name} accepted your fee",
        body=_started_body(collaboration),
        url=collaboration_url(collaboration=collaboration),
    )
    return collaboration


@transaction.atomic
def counter_decline(*, offer: Offer, user: User) -> Offer:
    """The brand keeps its fee: the offer stands as first sent, with no further counter-offer."""
    offer = _countered_locked(offer, user)
    offer.status, offer.counter_declined_at = OfferStatus.SENT, timezone.now()
    offer.save(update_fields=["status", "counter_declined_at", "updated_at"])
    notification_create(
        user=offer.influencer.user,
        title=f"{offer.brand.name} kept its fee",
        body=f"The offer stands at {money_format(offer.fee_minor, offer.currency)}: accept or decline it.",
        url=INBOX_URL,
    )
    return offer


# --- Open calls -------------------------------------------------------------------------------


@transaction.atomic
def open_call_create(
    *,
    brand: Brand,
    user: User,
    post: Post,
    criteria: dict | None,
    slots: int,
    fee_minor: int,
    currency: str,
    deadline: datetime,
    platform: str,
    tag_brand: bool = True,
    keep_link: bool = True,
    message: str = "",
    notify_matches: bool = True,
) -> Offer:
    """An open call to every matching influencer, with `slots` places the brand picks applicants
    for. With `notify_matches` (all but replayed history, as in seed_demo), matching influencers are
    told after the commit (open_call_notify_matches)."""
    _member_check(user=user, brand_id=brand.pk)
    terms = _terms_clean(
        brand=brand,
        post=post,
        fee_minor=fee_minor,
        currency=currency,
        deadline=deadline,
        platform=platform,
        message=message,
    )
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= MAX_SLOTS:
        raise ValidationError({"slots": f"Open between 1 and {MAX_SLOTS} slots."})
    offer = Offer.objects.create(
        brand=brand,
        post=post,
        kind=OfferKind.OPEN_CALL,
        criteria=criteria_clean(criteria),
        slots=slots,
        tag_brand=tag_brand,
        keep_link=keep_link,
        created_by=user,
        **terms,
    )
    if notify_matches:
        from ..tasks import open_call_notify_task  # the tasks module imports this one

        transaction.on_commit(lambda: open_call_notify_task.delay(offer.pk))
    return offer


def open_call_notify_matches(
    *, offer_id: int, cap: int = OPEN_CALL_NOTIFY_CAP, batch: int = OPEN_CALL_NOTIFY_BATCH
) -> int:
    """Tell the influencers whose audience matches a new open call (its task, after the commit
    that created it): "New open call from <brand>", linking to the offer in their inbox. Walks the
    candidates in batches of `batch`, one short transaction each with the open call's row locked
    (so two runs take turns, and applications wait only for one batch); at most `cap` influencers
    are told per call, counting those told by an earlier run. Nothing once the call is no longer
    open. Returns how many were told by this run."""
    offer = Offer.objects.select_related("brand").filter(pk=offer_id, kind=OfferKind.OPEN_CALL).first()
    if offer is None:
        return 0
    url = reverse("collaborations:offer_detail", kwargs={"offer_id": offer.pk})
    told_before = Notification.objects.filter(url=url, title__startswith=OPEN_CALL_TITLE_PREFIX)
    budget = cap - told_before.count()
    candidates = open_call_candidates(offer=offer).select_related("user")
    told = 0
    after: tuple[int, int] | None = None  # (followers_total, pk) of the last profile walked
    while budget > 0:
        page = candidates
        if after is not None:
            page = page.filter(Q(followers_total__lt=after[0]) | Q(followers_total=after[0], pk__gt=after[1]))
        profiles = list(page[:batch])
        if not profiles:
            break
        after = (profiles[-1].followers_total, profiles[-1].pk)
        with transaction.atomic():
            offer = _locked_offer(offer)
            if offer.status != OfferStatus.SENT or offer.deadline <= timezone.now():
                break
            matching = [p for p in profiles if open_call_matches(offer=offer, profile=p)]
            already = set(
                told_before.filter(user_id__in=[p.user_id for p in matching]).values_list(
                    "user_id", flat=True
                )
            )
            for profile in matching:
                if profile.user_id in already or budget <= 0:
                    continue
                notification_create(
                    user=profile.user,
                    title=f"{OPEN_CALL_TITLE_PREFIX}{offer.brand.name}"[:200],
                    body=f"{money_format(offer.fee_minor, offer.currency)} to repost on "
                    f"{vocabulary.platform_label(offer.platform)}; {offer.slots} "
                    f"slot{'s' if offer.slots != 1 else ''}; apply by "
                    f"{offer.deadline.astimezone(UTC):%d %b %Y %H:%M} UTC.",
                    url=url,
                )
                told += 1
                budget -= 1
    return told


@transaction.atomic
def open_call_apply(*, offer: Offer, influencer: InfluencerProfile, message: str = "") -> Application:
    offer = _locked_offer(offer)
    if offer.kind != OfferKind.OPEN_CALL:
        raise ValidationError("This is not an open call.")
    _answerable_check(offer, now=timezone.now())
    if not open_call_matches(offer=offer, profile=influencer):
        raise ValidationError("Your audience does not meet this open call's criteria.")
    if len(message or "") > 1000:
        raise ValidationError({"message": "Keep the message to 1,000 characters."})
    if Application.objects.filter(offer=offer, influencer=influencer).exists():
        raise ValidationError("You have already applied to this open call.")
    application = Application.objects.create(
        offer=offer, influencer=influencer, message=(message or "").strip()
    )
    _notify_brand(
        brand_id=offer.brand_id,
        title=f"@{influencer.slug} applied to your open call",
        url=brand_offers_url(brand_id=offer.brand_id),
    )
    return application


@transaction.atomic
def open_call_pick(*, application: Application, user: User) -> Collaboration:
    """The brand picks an applicant: a collaboration, if a slot is left. The open call's row lock
    makes two picks of the last slot at once take turns: the second finds it filled."""
    offer = _locked_offer(application.offer)
    _member_check(user=user, brand_id=offer.brand_id)
    now = timezone.now()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("influencer__user")
        .get(pk=application.pk)
    )
    if application.status == ApplicationStatus.PICKED:
        raise ValidationError("This applicant is already picked.")
    _answerable_check(offer, now=now)
    taken = Collaboration.objects.filter(offer=offer).count()
    if taken >= offer.slots:
        raise ValidationError("Every slot of this open call is taken.")
    application.status, application.decided_at = ApplicationStatus.PICKED, now
    application.save(update_fields=["status", "decided_at", "updated_at"])
    collaboration = _collaboration_open(
        offer=offer,
        influencer=application.influencer,
        fee_minor=offer.fee_minor,
        now=now,
        user=user,
        application=application,
    )
    if taken + 1 >= offer.slots:
        offer.status, offer.responded_at = OfferStatus.FILLED, now
        offer.save(update_fields=["status", "responded_at", "updated_at"])
        offer.applications.filter(status=ApplicationStatus.APPLIED).update(
            status=ApplicationStatus.NOT_PICKED, decided_at=now
        )
    notification_create(
        user=application.influencer.user,
        title=f"{offer.brand.name} picked you for its open call",
        body=_started_body(collaboration),
        url=collaboration_url(collaboration=collaboration),
    )
    return collaboration


# --- Expiry -----------------------------------------------------------------------------------


def offers_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    """Offers and open calls past their deadline and still open become expired (the periodic job).
    Rows another transaction holds are skipped; the next run takes them."""
    now = now or timezone.now()
    expired = 0
    with transaction.atomic():
        due = list(
            Offer.objects.select_for_update(skip_locked=True)
            .filter(status__in=OFFER_OPEN, deadline__lte=now)
            .order_by("deadline")[:batch]
        )
        for offer in due:
            offer.status = OfferStatus.EXPIRED
            offer.save(update_fields=["status", "updated_at"])
            if offer.kind == OfferKind.OPEN_CALL:
                offer.applications.filter(status=ApplicationStatus.APPLIED).update(
                    status=ApplicationStatus.NOT_PICKED, decided_at=now
                )
            expired += 1
    return expired


def notify_once(*, user: User, title: str, url: str, body: str) -> bool:
    """Tell `user` unless a notification with this title and link already did (the reminder jobs'
    mark of done: a second or overlapping run tells no one twice). True when told now."""
    if Notification.objects.filter(user=user, url=url, title=title).exists():
        return False
    notification_create(user=user, title=title, body=body, url=url)
    return True


def offers_remind(*, now: datetime | None = None, batch: int = 500) -> int:
    """Once per offer, the influencer is told that a direct offer they have not answered expires
    within 24 hours (the periodic job). The notification itself, looked up by the offer's page,
    marks it done, so a second run or an overlapping one (rows row-locked, skipping those another
    run holds) tells no one twice. Times are compared as instants, whatever zone they were set in."""
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        due = list(
            Offer.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("brand", "influencer__user")
            .filter(
                kind=OfferKind.DIRECT,
                status=OfferStatus.SENT,
                deadline__gt=now,
                deadline__lte=now + REMIND_BEFORE,
            )
            .order_by("deadline")[:batch]
        )
        for offer in due:
            url = reverse("collaborations:offer_detail", kwargs={"offer_id": offer.pk})
            user = offer.influencer.user
            reminded += notify_once(
                user=user,
                title=REMIND_TITLE,
                body=f"{offer.brand.name}'s offer of {money_format(offer.fee_minor, offer.currency)} "
                f"expires at {offer.deadline.astimezone(UTC):%d %b %Y %H:%M} UTC: accept, "
                "decline or counter it before then.",
                url=url,
            )
    return reminded


def open_calls_remind(*, now: datetime | None = None, batch: int = 500) -> int:
    """Once per application, an influencer still waiting to be picked is told that the open call
    closes within 24 hours (the periodic job), as offers_remind does for direct offers: the
    notification, looked up by the offer's page and its title, marks it done, and rows another run
    holds are skipped."""
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        due = list(
            Application.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("offer__brand", "influencer__user")
            .filter(
                status=ApplicationStatus.APPLIED,
                offer__kind=OfferKind.OPEN_CALL,
                offer__status=OfferStatus.SENT,
                offer__deadline__gt=now,
                offer__deadline__lte=now + REMIND_BEFORE,
            )
            .order_by("offer__deadline", "pk")[:batch]
        )
        for application in due:
            offer = application.offer
            url = reverse("collaborations:offer_detail", kwargs={"offer_id": offer.pk})
            user = application.influencer.user
            reminded += notify_once(
                user=user,
                title=OPEN_CALL_REMIND_TITLE,
                body=f"{offer.brand.name} picks from its applicants by "
                f"{offer.deadline.astimezone(UTC):%d %b %Y %H:%M} UTC; if you are not picked by then, "
                "the open call closes without a collaboration for you.",
                url=url,
            )
    return reminded
