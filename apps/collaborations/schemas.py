"""API schemas of the marketplace. Money is always an integer of the currency's minor unit with its
ISO 4217 code (`fee_minor: 12550, currency: "EUR"` is 125.50 EUR), never a float: amounts are
strict integers, so 125.5 or "12550" is refused with a message rather than rounded or guessed."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from ninja import Field, Schema
from pydantic import StrictInt, field_validator

NUL = "\x00"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class In(Schema):
    """A request body: text anywhere in it (criteria included) may not hold a NUL character, which
    the database cannot store; refused with a message like any bad input."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if _has_nul(value):
            raise ValueError("Text may not contain NUL (\\x00) characters.")
        return value


class OfferTermsIn(In):
    post_id: int
    fee_minor: StrictInt = Field(description="The fee in the currency's minor unit (cents).")
    currency: str = Field(description="ISO 4217, e.g. EUR.")
    deadline: datetime = Field(description="ISO 8601 with its time zone; the offer expires then.")
    platform: str = Field(description="x, linkedin or sandbox.")
    tag_brand: bool = True
    keep_link: bool = True
    message: str = ""


class DirectOfferIn(OfferTermsIn):
    influencer_ids: list[int] = Field(description="Influencer profile ids: one offer each.")


class OpenCallIn(OfferTermsIn):
    criteria: dict = Field(
        default_factory=dict, description="roles, industries, geographies (lists), min_followers."
    )
    slots: StrictInt = 1


class DeclineIn(In):
    reason: str


class CounterIn(In):
    fee_minor: StrictInt


class ApplyIn(In):
    message: str = ""


class MessageIn(In):
    body: str


class RepostPublishIn(In):
    account_id: int
    text: str = ""


class RepostUrlIn(In):
    url: str


class InfluencerCardOut(Schema):
    id: int
    slug: str
    display_name: str
    bio: str
    audience_roles: list[str]
    audience_industries: list[str]
    audience_geographies: list[str]
    follower_counts: dict
    followers_total: int
    verified: bool
    engagement_rate: float | None
    rate_minor: int | None
    rate_currency: str
    reputation_score: float | None
    reach: int
    fit: float | None = Field(None, description="Fit with the brand (cosine), null until computed.")
    shortlisted: bool
    profile_url: str

    @staticmethod
    def resolve_reputation_score(profile) -> float | None:
        return float(profile.reputation_score) if profile.reputation_score is not None else None

    @staticmethod
    def resolve_profile_url(profile) -> str:
        return reverse("collaborations:public_profile", args=[profile.slug])


class ApplicationOut(Schema):
    id: int
    offer_id: int
    influencer_id: int
    influencer_slug: str
    status: str
    message: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_influencer_slug(application) -> str:
        return application.influencer.slug


class OfferOut(Schema):
    id: int
    kind: str
    status: str
    brand_id: int
    brand_name: str
    post_id: int
    influencer_id: int | None
    influencer_slug: str | None
    criteria: dict
    slots: int
    fee_minor: int
    currency: str
    counter_fee_minor: int | None
    deadline: datetime
    platform: str
    tag_brand: bool
    keep_link: bool
    message: str
    decline_reason: str
    created_at: datetime
    responded_at: datetime | None
    withdrawn_at: datetime | None
    applied: bool | None = Field(None, description="Influencer side, open calls: whether you applied.")

    @staticmethod
    def resolve_brand_name(offer) -> str:
        return offer.brand.name

    @staticmethod
    def resolve_influencer_slug(offer) -> str | None:
        return offer.influencer.slug if offer.influencer_id else None

    @staticmethod
    def resolve_applied(offer) -> bool | None:
        applied = getattr(offer, "applied", None)
        return None if applied is None else bool(applied)


class InboxOut(Schema):
    direct: list[OfferOut]
    open_calls: list[OfferOut]


class ResultOut(Schema):
    brand_post_reach: int
    repost_reach: int
    reach_multiplier: float | None
    engagement_delivered: int
    value_minor: int
    roi: float | None
    audience_reaction: float | None
    final: bool


class CollaborationOut(Schema):
    id: int
    offer_id: int
    brand_id: int
    brand_name: str
    influencer_id: int
    influencer_slug: str
    post_id: int
    fee_minor: int
    currency: str
    platform: str
    status: str
    accepted_at: datetime
    repost_due_at: datetime
    measure_due_at: datetime
    reposted_at: datetime | None
    verified_at: datetime | None
    measured_at: datetime | None
    completed_at: datetime | None
    paid_at: datetime | None
    receipt_confirmed_at: datetime | None
    missed_at: datetime | None
    cancelled_at: datetime | None
    result: ResultOut | None
    page_url: str

    @staticmethod
    def resolve_brand_name(collaboration) -> str:
        return collaboration.brand.name

    @staticmethod
    def resolve_influencer_slug(collaboration) -> str:
        return collaboration.influencer.slug

    @staticmethod
    def resolve_post_id(collaboration) -> int:
        return collaboration.offer.post_id

    @staticmethod
    def resolve_result(collaboration):
        try:
            return collaboration.result
        except ObjectDoesNotExist:
            return None

    @staticmethod
    def resolve_page_url(collaboration) -> str:
        # The page both sides share lives in the influencer portal.
        return reverse("collaborations:collaboration_detail", args=[collaboration.pk])


class MessageOut(Schema):
    id: int
    collaboration_id: int
    author_name: str
    mine: bool
    body: str
    created: datetime


class LedgerEntryOut(Schema):
    id: int
    collaboration_id: int
    party: str
    brand_id: int
    influencer_id: int
    amount_minor: int
    currency: str
    status: str
    reverses_id: int | None
    note: str
    created_at: datetime


class BalanceOut(Schema):
    currency: str
    pending_minor: int
    paid_minor: int


class LedgerOut(Schema):
    balances: list[BalanceOut]
    entries: list[LedgerEntryOut]


class ReputationEventOut(Schema):
    score: float
    previous: float | None
    components: dict
    reason: str
    collaboration_id: int | None
    created_at: datetime


class ReputationOut(Schema):
    slug: str
    score: float | None = Field(description="0-100; null while the influencer is New.")
    history: list[ReputationEventOut]


class RepostOut(Schema):
    id: int
    collaboration_id: int
    method: str = Field(description="pipeline (through a linked account) or url (submitted).")
    platform: str
    account_id: int | None
    status: str = Field(description="queued, sending, verifying, verified or failed.")
    text: str
    url: str
    external_id: str
    posted_at: datetime | None
    verified_at: datetime | None
    failures: list[str] = Field(description="What the check found missing, in plain words.")
    last_error: str
    impressions: int
    likes: int
    comments: int
    shares: int
    quotes: int
    engagement_rate: float | None
    metrics_fetched_at: datetime | None
