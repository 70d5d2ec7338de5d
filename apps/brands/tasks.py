"""Brand background work: keep social tokens fresh and warn before they expire."""

from celery import shared_task

from . import connections


@shared_task(name="connections.refresh_expiring", acks_late=True)
def connections_refresh_expiring_task() -> int:
    return connections.connections_refresh_expiring()


@shared_task(name="connections.warn_expiring", acks_late=True)
def connections_warn_expiring_task() -> int:
    return connections.connections_warn_expiring()
