"""Celery tasks of engagement tracking: the 4-hourly metrics fetch and the first fetch of new posts.
Thin: the service does the work."""

from celery import shared_task

from . import services


@shared_task(
    name="analytics.fetch_metrics",
    acks_late=True,  # a worker lost mid-run leaves the message for another; posts already
    reject_on_worker_lost=True,  # stored this run are not fetched again for half an hour
    ignore_result=True,
    time_limit=1800,
    soft_time_limit=1740,
)
def metrics_fetch() -> dict:
    """Every 4 hours: the numbers of every post published in the last 30 days (not final yet)."""
    return services.metrics_fetch_due().as_dict()


@shared_task(
    name="analytics.fetch_first_metrics",
    acks_late=True,  # as above: a post stored before a lost worker is not fetched twice
    reject_on_worker_lost=True,
    ignore_result=True,
    expires=55,  # runs every minute: a run still queued when the next one is due is dropped
    time_limit=600,
    soft_time_limit=570,
)
def metrics_fetch_first() -> dict:
    """Every minute: the first numbers of posts published at least 15 minutes ago and never fetched."""
    return services.metrics_fetch_due(first_only=True).as_dict()
