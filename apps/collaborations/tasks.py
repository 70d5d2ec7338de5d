"""Celery tasks for the marketplace: thin, the services do the work."""

from celery import shared_task
from django.db import OperationalError

from .services.collaboration import collaborations_miss_overdue, collaborations_remind_repost
from .services.fit import brand_influencer_fit_refresh, influencer_embed, influencers_fit_refresh_request
from .services.offers import offers_expire, offers_remind, open_call_notify_matches, open_calls_remind


@shared_task(
    name="collaborations.expire_offers",
    ignore_result=True,
    expires=600,  # a tick that waited behind a backlog is dropped; the next one does its work
)
def offers_expire_task() -> int:
    """Offers and open calls past their deadline become expired. Safe to run twice: it only
    takes open ones, row-locked, skipping rows another run holds."""
    return offers_expire()


@shared_task(
    name="collaborations.deadlines",
    ignore_result=True,
    expires=600,  # a tick that waited behind a backlog is dropped; the next one does its work
)
def deadlines_task() -> dict[str, int]:
    """Reminds influencers once, 24 hours before an unanswered offer's deadline, an open call's
    close (its applicants not yet picked) and a repost's due time, and marks missed the
    collaborations whose repost is overdue. Safe to run twice: a reminder is looked up before it is
    sent, and a missed collaboration is no longer due."""
    return {
        "reminded": offers_remind(),
        "open_calls_reminded": open_calls_remind(),
        "reposts_reminded": collaborations_remind_repost(),
        "missed": collaborations_miss_overdue(),
    }


# --- Influencer embeddings and fit (apps.collaborations.services.fit) ----------------------------


@shared_task(
    name="collaborations.influencer_embed",
    acks_late=True,  # re-run if the worker dies mid-embedding: the hash check makes it idempotent
    reject_on_worker_lost=True,
    autoretry_for=(
        OperationalError,
    ),  # the database went away for a moment; the model's errors are not retried
    retry_backoff=10,
    max_retries=3,
)
def influencer_embed_task(profile_id: int) -> bool:
    """Embed a profile whose text changed (the model loads here, in the worker) and refresh its
    fit with every brand."""
    return influencer_embed(profile_id=profile_id)


@shared_task(
    name="collaborations.brand_influencer_fit_refresh",
    acks_late=True,  # a refresh cut short is simply done again: it rewrites the brand's scores whole
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    max_retries=3,
    time_limit=300,  # 100,000 profiles take about a second; far more means something is stuck
)
def brand_influencer_fit_refresh_task(brand_id: int) -> int:
    """Rank every influencer by fit with the brand and store the scores."""
    return brand_influencer_fit_refresh(brand_id=brand_id)


@shared_task(
    name="collaborations.influencer_fit_daily",
    ignore_result=True,
    expires=3600,  # a daily tick that waited an hour behind a backlog is dropped; tomorrow's does it
)
def influencer_fit_daily_task() -> int:
    """Daily: every brand's fits again (profiles change), and embeddings for profiles lacking one."""
    return influencers_fit_refresh_request()


# --- Measuring reposts (apps.collaborations.services.measure) -----------------------------------


@shared_task(
    name="collaborations.measure_reposts",
    ignore_result=True,
    expires=3600,  # a 4-hourly tick that waited an hour behind a backlog is dropped; the next one measures
)
def reposts_measure_task() -> dict:
    """Every 4 hours: the numbers of verified reposts, their collaborations' results, and completion
    of those whose measuring time is over. Safe to run twice: a repost fetched in the last half hour
    is not fetched again, and a final result never changes."""
    from .services.measure import reposts_measure  # measure queues repost_measure_task: no cycle at import

    return reposts_measure().as_dict()


@shared_task(
    name="collaborations.measure_repost",
    acks_late=True,  # re-run if the worker dies: the refetch guard makes a second run harmless
    reject_on_worker_lost=True,
    ignore_result=True,
)
def repost_measure_task(repost_id: int) -> dict:
    """The first numbers of a repost that was just verified (queued by repost_measure_soon)."""
    from .services.measure import reposts_measure

    return reposts_measure(repost_ids=[repost_id]).as_dict()


# --- Reposts: through a linked account, and their verification (services.repost_publish/_verify) ---


@shared_task(
    name="collaborations.repost_publish",
    acks_late=True,  # a worker killed mid-task leaves the message to be delivered again …
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=300,  # … and the claim token makes that second delivery harmless
    soft_time_limit=240,
)
def repost_publish_task(repost_id: int, claim_token: str) -> str:
    """Send one claimed pipeline repost, exactly once (compare-and-set claim, reconcile first)."""
    from .services.repost_publish import repost_publish_execute

    return repost_publish_execute(repost_id=repost_id, claim_token=claim_token)


@shared_task(
    name="collaborations.repost_verify",
    acks_late=True,  # re-run if the worker dies: only a repost still being checked is looked at
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=90,
)
def repost_verify_task(repost_id: int) -> str:
    """Fetch a repost through the platform client and check it against the offer."""
    from .services.repost_verify import repost_verify_execute

    return repost_verify_execute(repost_id=repost_id)


@shared_task(
    name="collaborations.reposts_resume",
    ignore_result=True,
    expires=60,  # a tick that waited behind a backlog is dropped; the next one does its work
)
def reposts_resume_task() -> int:
    """Every minute: pipeline reposts whose worker vanished are claimed again (and looked up on
    the platform first when a send may have gone out); stale checks are queued again."""
    from .services.repost_publish import reposts_resume_stalled

    return reposts_resume_stalled()


# --- Open calls told to matching influencers (apps.collaborations.services.offers) ---------------


@shared_task(
    name="collaborations.open_call_notify",
    acks_late=True,  # re-run if the worker dies mid-walk: who was told is looked up, no one hears twice
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),  # the database went away for a moment
    retry_backoff=10,
    max_retries=3,
    time_limit=300,  # at most OPEN_CALL_NOTIFY_CAP notifications: seconds, not minutes
)
def open_call_notify_task(offer_id: int) -> int:
    """Tell the influencers whose audience matches a new open call (capped per call)."""
    return open_call_notify_matches(offer_id=offer_id)
