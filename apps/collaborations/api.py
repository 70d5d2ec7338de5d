"""API of the influencer marketplace: a brand searches influencers, sends offers and open calls,
answers counter-offers and picks applicants; an influencer answers offers and applies; both sides
follow their collaborations (thread, payment, repost), their ledger and an influencer's reputation.

Brand endpoints live under /brands/{brand_id}/ (a member of the brand only: another brand is a
404), influencer endpoints under /influencer/ (the signed-in influencer's own objects only), and
/collaborations/{id} is shared by the two sides of a collaboration (its repost is the influencer's to
make; both sides read it). An influencer calling a brand endpoint, or a brand user an influencer
one, gets a 403 naming the role needed. Refused input is a 4xx with `detail` (and `errors` by
field) and changes nothing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, paginate

from apps.accounts.access import api_require_role
from apps.accounts.models import Role, User
from apps.brands.selectors import brand_get_for_user
from apps.posts.models import Post

from . import selectors, services
from .forms_brand import InfluencerSearchForm
from .models import (
    Application,
    Collaboration,
    CollaborationMessage,
    InfluencerProfile,
    Offer,
    OfferKind,
    Repost,
)
from .schemas import (
    ApplicationOut,
    ApplyIn,
    CollaborationOut,
    CounterIn,
    DeclineIn,
    DirectOfferIn,
    InboxOut,
    InfluencerCardOut,
    LedgerOut,
    MessageIn,
    MessageOut,
    OfferOut,
    OpenCallIn,
    RepostOut,
    RepostPublishIn,
    RepostUrlIn,
    ReputationOut,
)
from .selectors.brand import (
    InfluencerResults,
    brand_has_fits,
    brand_usual_currency,
    offer_list_for_brand_page,
)
from .services.repost_publish import repost_publish_request
from .services.repost_verify import repost_submit_url

router = Router(tags=["collaborations"])

MAX_LEDGER_ENTRIES = 500
# Far past any real page, and well inside what the database takes as an OFFSET (a bigger one was
# an error there, so a 500 here).
MAX_OFFSET = 1_000_000
MAX_PAGE = 500


class Pages(LimitOffsetPagination):
    """Ninja's limit/offset pagination with a bounded page and offset."""

    class Input(Schema):
        limit: int = Field(min(ninja_settings.PAGINATION_PER_PAGE, MAX_PAGE), ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


# --- Who is calling -----------------------------------------------------------------------------


def _brand_member(request, brand_id: int):
    user = api_require_role(request, Role.BRAND)
    return user, brand_get_for_user(user=user, brand_id=brand_id)


def _influencer(request) -> tuple[User, InfluencerProfile]:
    user = api_require_role(request, Role.INFLUENCER)
    return user, services.influencer_profile_get_or_create(user=user)


def _user(request) -> User:
    """Either side (collaborations are shared); anyone else finds nothing there."""
    return request.auth if isinstance(request.auth, User) else request.user


# --- Output -------------------------------------------------------------------------------------


def _message_out(message: CollaborationMessage, user: User) -> dict:
    return {
        "id": message.pk,
        "collaboration_id": message.collaboration_id,
        "author_name": message.author.name if message.author else "Someone",
        "mine": message.author_id == user.pk,
        "body": message.body,
        "created": message.created,
    }


def _ledger_out(entries, balances, *, limit: int, offset: int) -> dict:
    if not 1 <= limit <= MAX_LEDGER_ENTRIES:
        raise ValidationError({"limit": f"Ask for 1 to {MAX_LEDGER_ENTRIES} entries."})
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError({"offset": f"The offset is 0 to {MAX_OFFSET:,}."})
    page = entries.order_by("-created_at", "-pk")[offset : offset + limit]
    return {"balances": balances, "entries": list(page)}


def _statement(entries, filename: str) -> HttpResponse:
    response = HttpResponse(selectors.ledger_statement_csv(entries=entries), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Brand: finding influencers -----------------------------------------------------------------


@router.get("/brands/{brand_id}/influencers", response=list[InfluencerCardOut])
@paginate(Pages, pass_parameter="page_input")  # noqa: S106 (a parameter name, not a password)
def influencer_search_api(request, brand_id: int, **kwargs):
    """Public influencer profiles matching the filters, as on the search page: `roles`,
    `industries`, `geographies` (comma-separated, any one matches), `platform`, `min_followers`,
    `verified`, `min_engagement` (%), `min_reputation`, `fee_min` / `fee_max` (decimals in the
    brand's usual offer currency), `shortlisted`, `sort` (fit, reach, reputation; fit by default
    once the worker has scored the brand's fit); paginated with `limit` and `offset`."""
    _, brand = _brand_member(request, brand_id)
    page_input = kwargs["page_input"]
    params = request.GET.copy()
    for key in ("limit", "offset"):
        params.pop(key, None)
    has_fits = brand_has_fits(brand=brand)
    form = InfluencerSearchForm(
        params, currency=brand_usual_currency(brand=brand), default_sort="fit" if has_fits else "reach"
    )
    if not form.is_valid():
        raise ValidationError({field: errors[0] for field, errors in form.errors.items()})
    # The results count with the page they read when the page is a whole page of `limit`.
    limit, offset = page_input.limit, page_input.offset
    return InfluencerResults(
        brand=brand,
        query=form.query(),
        has_fits=has_fits,
        page=offset // limit + 1 if offset % limit == 0 else 1,
        per_page=limit,
    )


# --- Brand: offers and open calls ---------------------------------------------------------------


def _post_for(brand, post_id: int) -> Post:
    """The post to offer. A missing post and another brand's read the same, as the service says."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None or post.brand_id != brand.pk:
        raise ValidationError({"post": "That post is not one of this brand's."})
    return post


def _brand_offer(brand, offer_id: int) -> Offer:
    offer = Offer.objects.select_related("brand", "influencer__user").filter(pk=offer_id, brand=brand).first()
    if offer is None:
        raise Http404("No such offer.")
    return offer


def _terms(payload) -> dict:
    return {
        "fee_minor": payload.fee_minor,
        "currency": payload.currency,
        "deadline": payload.deadline,
        "platform": payload.platform,
        "tag_brand": payload.tag_brand,
        "keep_link": payload.keep_link,
        "message": payload.message,
    }


@router.post("/brands/{brand_id}/offers", response={201: list[OfferOut]})
def offer_send_api(request, brand_id: int, payload: DirectOfferIn):
    """A direct offer to each influencer in `influencer_ids` (all or none); each is notified."""
    user, brand = _brand_member(request, brand_id)
    post = _post_for(brand, payload.post_id)
    wanted = list(dict.fromkeys(payload.influencer_ids))
    found = {p.pk: p for p in InfluencerProfile.objects.filter(pk__in=wanted, is_public=True)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError({"influencer_ids": f"No influencer with id {', '.join(missing)}."})
    offers = services.offer_send(
        brand=brand, user=user, post=post, influencers=[found[pk] for pk in wanted], **_terms(payload)
    )
    return Status(201, offers)


@router.post("/brands/{brand_id}/open-calls", response={201: OfferOut})
def open_call_create_api(request, brand_id: int, payload: OpenCallIn):
    """An open call: matching influencers see it in their inbox and apply; the brand picks."""
    user, brand = _brand_member(request, brand_id)
    post = _post_for(brand, payload.post_id)
    offer = services.open_call_create(
        brand=brand,
        user=user,
        post=post,
        criteria=payload.criteria,
        slots=payload.slots,
        **_terms(payload),
    )
    return Status(201, (offer))


@router.get("/brands/{brand_id}/offers", response=list[OfferOut])
@paginate(Pages)
def offer_list_api(request, brand_id: int, status: str = "", kind: str = ""):
    """The brand's offers and open calls, newest first."""
    _, brand = _brand_member(request, brand_id)
    offers = offer_list_for_brand_page(brand=brand).select_related("brand")
    if status:
        offers = offers.filter(status=status)
    if kind:
        offers = offers.filter(kind=kind)
    return offers


@router.get("/brands/{brand_id}/offers/{offer_id}", response=OfferOut)
def offer_detail_api(request, brand_id: int, offer_id: int):
    _, brand = _brand_member(request, brand_id)
    return _brand_offer(brand, offer_id)


@router.post("/brands/{brand_id}/offers/{offer_id}/withdraw", response=OfferOut)
def offer_withdraw_api(request, brand_id: int, offer_id: int):
    """Take back an offer or open call no one has accepted yet."""
    user, brand = _brand_member(request, brand_id)
    return services.offer_withdraw(offer=_brand_offer(brand, offer_id), user=user)


@router.post("/brands/{brand_id}/offers/{offer_id}/counter/accept", response={201: CollaborationOut})
def counter_accept_api(request, brand_id: int, offer_id: int):
    """Take the influencer's proposed fee: the collaboration starts at it."""
    user, brand = _brand_member(request, brand_id)
    collaboration = services.counter_accept(offer=_brand_offer(brand, offer_id), user=user)
    return Status(201, (collaboration))


@router.post("/brands/{brand_id}/offers/{offer_id}/counter/decline", response=OfferOut)
def counter_decline_api(request, brand_id: int, offer_id: int):
    """Keep the offered fee: the offer stands as first sent, with no further counter-offer."""
    user, brand = _brand_member(request, brand_id)
    return services.counter_decline(offer=_brand_offer(brand, offer_id), user=user)


@router.get("/brands/{brand_id}/offers/{offer_id}/applications", response=list[ApplicationOut])
def application_list_api(request, brand_id: int, offer_id: int):
    """An open call's applicants, first come first."""
    _, brand = _brand_member(request, brand_id)
    offer = _brand_offer(brand, offer_id)
    return offer.applications.select_related("influencer").order_by("pk")


@router.post("/brands/{brand_id}/applications/{application_id}/pick", response={201: CollaborationOut})
def application_pick_api(request, brand_id: int, application_id: int):
    """Pick an applicant of an open call: a collaboration, while a slot is left."""
    user, brand = _brand_member(request, brand_id)
    application = (
        Application.objects.select_related("offer", "influencer")
        .filter(pk=application_id, offer__brand=brand)
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return Status(201, (services.open_call_pick(application=application, user=user)))


# --- Influencer: the inbox and the answers ------------------------------------------------------


def _influencer_offer(profile: InfluencerProfile, offer_id: int) -> Offer:
    try:
        return selectors.offer_get_for_influencer(profile=profile, offer_id=offer_id)
    except Offer.DoesNotExist:
        raise Http404("No such offer.") from None


def _direct_only(offer: Offer) -> Offer:
    if offer.kind == OfferKind.OPEN_CALL:
        raise ValidationError("This is an open call: apply to it instead.")
    return offer


@router.get("/influencer/offers", response=InboxOut)
def inbox_api(request):
    """Direct offers waiting for an answer and the open calls your audience matches."""
    _, profile = _influencer(request)
    inbox = selectors.influencer_inbox(profile=profile)
    return {
        "direct": inbox.direct,
        "open_calls": inbox.open_calls,
    }


@router.get("/influencer/offers/{offer_id}", response=OfferOut)
def influencer_offer_api(request, offer_id: int):
    _, profile = _influencer(request)
    offer = _influencer_offer(profile, offer_id)
    if offer.kind == OfferKind.OPEN_CALL:
        offer.applied = offer.applications.filter(influencer=profile).exists()
    return offer


@router.post("/influencer/offers/{offer_id}/accept", response={201: CollaborationOut})
def offer_accept_api(request, offer_id: int):
    """Accept a direct offer at its fee: the collaboration starts."""
    _, profile = _influencer(request)
    offer = _direct_only(_influencer_offer(profile, offer_id))
    return Status(201, (services.offer_accept(offer=offer, influencer=profile)))


@router.post("/influencer/offers/{offer_id}/decline", response=OfferOut)
def offer_decline_api(request, offer_id: int, payload: DeclineIn):
    """Decline with a reason the brand reads."""
    _, profile = _influencer(request)
    offer = _direct_only(_influencer_offer(profile, offer_id))
    return services.offer_decline(offer=offer, influencer=profile, reason=payload.reason)


@router.post("/influencer/offers/{offer_id}/counter", response=OfferOut)
def offer_counter_api(request, offer_id: int, payload: CounterIn):
    """Propose another fee (minor units of the offer's currency), once per offer."""
    _, profile = _influencer(request)
    offer = _direct_only(_influencer_offer(profile, offer_id))
    return services.offer_counter(offer=offer, influencer=profile, fee_minor=payload.fee_minor)


@router.post("/influencer/offers/{offer_id}/apply", response={201: ApplicationOut})
def open_call_apply_api(request, offer_id: int, payload: ApplyIn):
    """Apply to an open call your audience matches; the brand picks among the applicants."""
    _, profile = _influencer(request)
    offer = _influencer_offer(profile, offer_id)
    application = services.open_call_apply(offer=offer, influencer=profile, message=payload.message)
    return Status(201, (application))


# --- Collaborations: both sides -----------------------------------------------------------------


def _collaboration(request, collaboration_id: int) -> Collaboration:
    try:
        return (
            selectors.collaboration_list_for_user(user=_user(request))
            .select_related("result")
            .get(pk=collaboration_id)
        )
    except Collaboration.DoesNotExist:
        raise Http404("No such collaboration.") from None


@router.get("/collaborations", response=list[CollaborationOut])
@paginate(Pages)
def collaboration_list_api(request, status: str = ""):
    """Your collaborations (as the influencer or a member of the brand), newest first."""
    collaborations = selectors.collaboration_list_for_user(user=_user(request)).select_related("result")
    if status:
        collaborations = collaborations.filter(status=status)
    return collaborations.order_by("-accepted_at", "-pk")


@router.get("/collaborations/{collaboration_id}", response=CollaborationOut)
def collaboration_detail_api(request, collaboration_id: int):
    return _collaboration(request, collaboration_id)


@router.get("/collaborations/{collaboration_id}/messages", response=list[MessageOut])
def collaboration_messages_api(request, collaboration_id: int):
    """The thread, oldest first."""
    user = _user(request)
    collaboration = _collaboration(request, collaboration_id)
    return [_message_out(m, user) for m in selectors.collaboration_messages(collaboration=collaboration)]


@router.post("/collaborations/{collaboration_id}/messages", response={201: MessageOut})
def collaboration_message_post_api(request, collaboration_id: int, payload: MessageIn):
    """Write in the thread: the other side sees it live and is notified."""
    user = _user(request)
    collaboration = _collaboration(request, collaboration_id)
    message = services.collaboration_message_post(collaboration=collaboration, user=user, body=payload.body)
    return Status(201, _message_out(message, user))


@router.post("/collaborations/{collaboration_id}/mark-paid", response=CollaborationOut)
def collaboration_mark_paid_api(request, collaboration_id: int):
    """The brand says it paid the fee (manual payments): its pending ledger entry becomes paid."""
    collaboration = _collaboration(request, collaboration_id)
    services.collaboration_mark_paid(collaboration=collaboration, user=_user(request))
    return _collaboration(request, collaboration_id)


@router.post("/collaborations/{collaboration_id}/confirm-receipt", response=CollaborationOut)
def collaboration_confirm_receipt_api(request, collaboration_id: int):
    """The influencer confirms the fee arrived: their pending ledger entry becomes paid."""
    collaboration = _collaboration(request, collaboration_id)
    services.collaboration_confirm_receipt(collaboration=collaboration, user=_user(request))
    return _collaboration(request, collaboration_id)


# --- The repost -------------------------------------------------------------------------------


def _repost_of(collaboration: Collaboration) -> Repost:
    repost = Repost.objects.filter(collaboration=collaboration).first()
    if repost is None:
        raise Http404("No repost yet.")
    return repost


@router.get("/collaborations/{collaboration_id}/repost", response=RepostOut)
def repost_detail_api(request, collaboration_id: int):
    """The collaboration's repost as it stands: being published or checked, verified (with its
    latest numbers), or failed with what the check found missing. 404 until there is one."""
    return _repost_of(_collaboration(request, collaboration_id))


@router.post("/collaborations/{collaboration_id}/repost", response={202: RepostOut})
def repost_publish_api(request, collaboration_id: int, payload: RepostPublishIn):
    """Repost through one of your linked accounts (`account_id`, on the offer's platform) with your
    words (`text`, carrying the tag and link the offer asks for); it is sent, then checked, by the
    worker: poll the repost."""
    user, _ = _influencer(request)
    collaboration = _collaboration(request, collaboration_id)
    repost = repost_publish_request(
        collaboration=collaboration, user=user, account_id=payload.account_id, text=payload.text
    )
    return Status(202, repost)


@router.post("/collaborations/{collaboration_id}/repost/url", response={202: RepostOut})
def repost_submit_url_api(request, collaboration_id: int, payload: RepostUrlIn):
    """Submit the address of a post you made on the offer's platform from your linked account; the
    worker fetches and checks it: poll the repost."""
    user, _ = _influencer(request)
    collaboration = _collaboration(request, collaboration_id)
    return Status(202, repost_submit_url(collaboration=collaboration, user=user, url=payload.url))


# --- The ledger ---------------------------------------------------------------------------------


@router.get("/brands/{brand_id}/ledger", response=LedgerOut)
def brand_ledger_api(request, brand_id: int, limit: int = 100, offset: int = 0):
    """What the brand owes and has paid per currency (negative: money out), and its entries,
    newest first."""
    _, brand = _brand_member(request, brand_id)
    return _ledger_out(
        selectors.ledger_entries_for_brand(brand=brand),
        selectors.ledger_balances_for_brand(brand=brand),
        limit=limit,
        offset=offset,
    )


@router.get("/brands/{brand_id}/ledger/statement.csv", response={200: None})
def brand_statement_api(request, brand_id: int):
    """The brand's statement as CSV, oldest first, amounts in major units."""
    _, brand = _brand_member(request, brand_id)
    return _statement(selectors.ledger_entries_for_brand(brand=brand), f"statement-brand-{brand.pk}.csv")


@router.get("/influencer/ledger", response=LedgerOut)
def influencer_ledger_api(request, limit: int = 100, offset: int = 0):
    """What you are owed and have received per currency, and your entries, newest first."""
    _, profile = _influencer(request)
    return _ledger_out(
        selectors.ledger_entries_for_influencer(profile=profile),
        selectors.ledger_balances_for_influencer(profile=profile),
        limit=limit,
        offset=offset,
    )


@router.get("/influencer/ledger/statement.csv", response={200: None})
def influencer_statement_api(request):
    """Your statement as CSV, oldest first, amounts in major units."""
    _, profile = _influencer(request)
    return _statement(
        selectors.ledger_entries_for_influencer(profile=profile), f"statement-{profile.slug}.csv"
    )


# --- Reputation ---------------------------------------------------------------------------------


@router.get("/influencers/{slug}/reputation", response=ReputationOut)
def reputation_api(request, slug: str):
    """A public profile's reputation (null while New) and every recomputation of it, oldest first."""
    if "\x00" in slug:  # no handle holds one, and the database refuses to look it up
        raise Http404("No such influencer.")
    profile = selectors.influencer_profile_get_public(slug=slug, viewer=_user(request))
    return {
        "slug": profile.slug,
        "score": float(profile.reputation_score) if profile.reputation_score is not None else None,
        "history": [
            {
                "score": float(e.score),
                "previous": float(e.previous) if e.previous is not None else None,
                "components": e.components,
                "reason": e.reason,
                "collaboration_id": e.collaboration_id,
                "created_at": e.created_at,
            }
            for e in profile.reputation_events.order_by("created_at", "pk")
        ],
    }
