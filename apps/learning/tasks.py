"""Celery tasks of the weekly learning loop: hourly, train the brands whose Sunday 00:00 has come.

The tasks keep the names they had when learning lived in analytics ("analytics.policy_train_due"),
so the beat schedule (apps/core/schedules.py, written by setup_periodic_tasks) and any message
already queued keep finding them."""

from celery import shared_task

from apps.brands.models import Brand

from . import training


@shared_task(name="analytics.policy_train_due", acks_late=True, reject_on_worker_lost=True, time_limit=1800)
def policy_train_due() -> int:
    """Hourly: every brand whose Sunday 00:00 (its time zone) passed with no run since trains now."""
    return len(training.policy_train_due())


@shared_task(name="analytics.policy_train", acks_late=True, reject_on_worker_lost=True)
def policy_train(brand_id: int) -> str:
    brand = Brand.objects.select_related("industry").filter(pk=brand_id).first()
    if brand is None:
        return "gone"
    return training.policy_train(brand=brand).status
