"""Celery tasks for the marketplace: thin, the services do the work."""

from celery import shared_task

from .services.collaboration import collaborations_miss_overdue
from .services.offers import offers_expire, offers_remind


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
    """Reminds influencers once, 24 hours before an unanswered offer's deadline, and marks missed
    the collaborations whose repost is overdue. Safe to run twice: a reminder is looked up before
    it is sent, and a missed collaboration is no longer due."""
    return {"reminded": offers_remind(), "missed": collaborations_miss_overdue()}
