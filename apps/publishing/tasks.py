"""Celery tasks for publishing: the dispatcher tick and one publication's publish. Thin: ids in,
services do the work; both are safe to run twice (claims are compare-and-set)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="publishing.dispatch", ignore_result=True, expires=30)
def publications_dispatch_task() -> dict:
    """Every few seconds (and right after "publish now"): claim due publications, fan them out.
    `expires`: a tick that waited behind a backlog is dropped; the next one does its work."""
    result = services.publications_dispatch()
    return {"claimed": result.claimed, "expired": result.expired, "reclaimed": result.reclaimed}


@shared_task(
    name="publishing.publish",
    acks_late=True,  # a worker killed mid-task leaves the message to be delivered again …
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=300,  # … and the claim token makes that second delivery harmless
    soft_time_limit=240,
)
def publication_publish(publication_id: int, claim_token: str) -> str:
    return services.publication_execute(publication_id=publication_id, claim_token=claim_token)


@shared_task(name="publishing.notify_live", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def publications_notify_live(brand_id: int) -> int:
    """A short while after a brand's post goes live: one notification for all that went live."""
    return services.publications_notify_live_execute(brand_id=brand_id)


@shared_task(
    name="publishing.publish_many",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    time_limit=900,
    soft_time_limit=840,
)
def publications_publish(publication_ids: list[int], claim_token: str) -> list[str]:
    """A few claimed publications one after another (the dispatcher sends them in chunks)."""
    return [
        services.publication_execute(publication_id=pk, claim_token=claim_token) for pk in publication_ids
    ]
