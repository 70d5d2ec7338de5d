"""Publishing actions: put approved posts on the calendar (now, at a time, in the queue), move
or cancel them, dispatch due publications to workers, publish each exactly once under its retry
rules, keep the post's status in step, and tell the brand what happened.

Exactly-once (SPEC section 6): a worker works on a row only while it holds the row's current
claim token (every write is a compare-and-set on id, token and status). Before each platform
call it commits an attempt and `needs_reconcile = True`; after the call it commits the platform's
id and clears the flag. A row that comes back with the flag set (the worker died, or the call
timed out after the platform may have received it) is looked up on the platform before anything
is sent again. Parts already sent (`part_ids`) are never sent again.

The package, one module per step: `schedule` (accounts, a time, the queue, unschedule, retry),
`batch` (many posts at once), `dispatch` (the due-row dispatcher), `execute` (one publication,
exactly once), `status` (the post's status follows its publications), `notify` (telling the
brand) and `labels` (platform names in messages). Callers import from the package.
"""

from .batch import BATCH_ACTIONS, BatchResult, posts_batch, validation_error_messages
from .dispatch import DispatchResult, publications_dispatch, publications_expire
from .execute import publication_execute
from .notify import publications_notify_live_execute
from .schedule import (
    SCHEDULABLE,
    post_publish_now,
    post_queue,
    post_queue_slot,
    post_schedule,
    post_unschedule,
    publication_retry,
    publication_targets,
)
from .status import post_status_sync

__all__ = [
    "BATCH_ACTIONS",
    "SCHEDULABLE",
    "BatchResult",
    "DispatchResult",
    "post_publish_now",
    "post_queue",
    "post_queue_slot",
    "post_schedule",
    "post_status_sync",
    "post_unschedule",
    "posts_batch",
    "publication_execute",
    "publication_retry",
    "publication_targets",
    "publications_dispatch",
    "publications_expire",
    "publications_notify_live_execute",
    "validation_error_messages",
]
