"""Meme background work."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from apps.memes import generation


@shared_task(name="memes.prune_renders", acks_late=True)
def stored_renders_prune_task() -> dict:
    from .services import stored_renders_prune

    report = stored_renders_prune()
    return {"kept": report.kept, "deleted": report.deleted, "deleted_bytes": report.deleted_bytes}


@shared_task(
    name="memes.render",
    # Taken off the queue only once done: a worker restart does not lose the render.
    acks_late=True,
    # But a render that killed its worker (out of memory) is not handed to the next one: the
    # page asking for it queues it again after RENDER_QUEUED_TTL if it still wants it.
    reject_on_worker_lost=False,
    # The budget keeps renders to about a second; anything far slower is stuck.
    soft_time_limit=60,
    time_limit=90,
    # Nobody reads the result: the file appears under its content address.
    ignore_result=True,
)
def meme_render_task(spec_data: dict, size: str, key: str) -> str:
    """Render an animated meme at `size` and store it under `key` (idempotent)."""
    try:
        return generation.rendered_store_from_data(spec_data, size, key)
    except SoftTimeLimitExceeded:
        name = generation.rendered_name(key, size, spec_data["format"])
        generation.render_fail(name, "Rendering took too long; try a shorter or smaller animation.")
        return name
