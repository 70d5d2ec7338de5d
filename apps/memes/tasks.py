"""Meme background work."""

from celery import shared_task


@shared_task(name="memes.prune_renders", acks_late=True)
def stored_renders_prune_task() -> dict:
    from .services import stored_renders_prune

    report = stored_renders_prune()
    return {"kept": report.kept, "deleted": report.deleted, "deleted_bytes": report.deleted_bytes}
