"""Celery task of the weekly learning loop: hourly, train the brands whose Sunday 00:00 has come."""

from celery import shared_task

from . import training


@shared_task(name="analytics.policy_train_due", acks_late=True, reject_on_worker_lost=True, time_limit=1800)
def policy_train_due() -> int:
    """Hourly: every brand whose Sunday 00:00 (its time zone) passed with no run since trains now."""
    return len(training.policy_train_due())


@shared_task(name="analytics.policy_train", acks_late=True, reject_on_worker_lost=True)
def policy_train(brand_id: int) -> str:
    from apps.brands.models import Brand

    brand = Brand.objects.select_related("industry").filter(pk=brand_id).first()
    if brand is None:
        return "gone"
    return training.policy_train(brand=brand).status
