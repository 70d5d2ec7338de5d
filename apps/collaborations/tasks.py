"""Celery tasks for the marketplace: thin, the services do the work."""

from celery import shared_task

from .services.offers import offers_expire


@shared_task(
    name="collaborations.expire_offers",
    ignore_result=True,
    expires=600,  # a tick that waited behind a backlog is dropped; the next one does its work
)
def offers_expire_task() -> int:
    """Offers and open calls past their deadline become expired. Safe to run twice: it only
    takes open ones, row-locked, skipping rows another run holds."""
    return offers_expire()
