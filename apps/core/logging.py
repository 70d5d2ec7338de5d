"""Log filters shared by every process."""

import logging

# Periodic ticks that ran and found nothing to do: one line every 2 s would drown the log.
IDLE_TICKS = ("publishing.dispatch[",)
BEAT_TICKS = ("publishing: dispatch due posts",)  # beat's "Sending due task …" of the same tick


class IdleTickFilter(logging.Filter):
    """Drops the lines every dispatcher tick would write: beat sending it, the worker receiving
    it, and its "succeeded" when it claimed nothing (a tick that did claim is still logged)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name == "celery.beat" and any(tick in message for tick in BEAT_TICKS):
            return False
        if any(tick in message for tick in IDLE_TICKS):
            return not (message.endswith(" received") or "'claimed': 0" in message)
        return True
