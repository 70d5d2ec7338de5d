"""The dispatcher's idle ticks do not fill the log; ticks that did something still show."""

import logging

from apps.core.logging import IdleTickFilter


def record(name: str, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.INFO, __file__, 1, message, None, None)


def test_idle_dispatcher_ticks_are_dropped():
    keep = IdleTickFilter().filter
    assert not keep(
        record(
            "celery.beat", "Scheduler: Sending due task publishing: dispatch due posts (publishing.dispatch)"
        )
    )
    assert not keep(record("celery.worker.strategy", "Task publishing.dispatch[0f3c] received"))
    assert not keep(
        record(
            "celery.app.trace",
            "Task publishing.dispatch[0f3c] succeeded in 0.002s: {'claimed': 0, 'expired': 0}",
        )
    )


def test_a_tick_that_claimed_posts_and_other_tasks_are_kept():
    keep = IdleTickFilter().filter
    assert keep(
        record("celery.app.trace", "Task publishing.dispatch[0f3c] succeeded in 0.01s: {'claimed': 12}")
    )
    assert keep(record("celery.worker.strategy", "Task posts.generate[9a1b] received"))
