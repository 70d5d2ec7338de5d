"""Celery tasks of the trend job. They take ids and call services; the embedding model loads here."""

from celery import shared_task

from apps.brands.models import Brand

from . import services
from .models import RunStatus, TrendRefreshRun


@shared_task(
    name="trends.refresh", acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3300
)
def trends_refresh(run_id: int) -> str:
    run = TrendRefreshRun.objects.filter(pk=run_id).first()
    if run is None or run.status != RunStatus.QUEUED:
        return "skipped"  # already done (a redelivery) or removed
    services.trend_refresh_execute(run=run)
    return run.status


@shared_task(name="trends.refresh_scheduled", acks_late=True)
def trends_refresh_scheduled() -> int:
    """The 6-hourly schedule's entry: queue a run (or join one already waiting)."""
    return services.trend_refresh_request(trigger=TrendRefreshRun.Trigger.SCHEDULE).pk


@shared_task(name="trends.brand_rescore", acks_late=True, reject_on_worker_lost=True)
def brand_rescore(brand_id: int) -> None:
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is not None:
        services.brand_trends_rescore(brand=brand)
