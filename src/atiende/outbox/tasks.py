"""The outbox's sweep, enqueued every minute by the scheduler and run by ``atiende worker``.

It delivers what the process that made a change did not: rows whose process died before their
delivery, and retries whose backoff has run out. Only due rows are read (an index on
``next_attempt_at`` of pending rows).
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.outbox import delivery


@task
def deliver_effects(ids: list[int]) -> int:
    """Deliver these effects now (those a web process leaves to the worker: SMTP and the like)."""
    return delivery.deliver(ids=ids)


# Batches per sweep run at most; the next minute's run goes on from there.
MAX_BATCHES = 100


@task
def deliver_due_effects() -> int:
    """Deliver the pending effects whose next attempt has come, one small batch at a time."""
    total = 0
    for _ in range(MAX_BATCHES):
        delivered = delivery.deliver_due()
        total += delivered
        if delivered == 0:
            break
    return total


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(deliver_due_effects)  # every minute


@task
def purge_delivered_effects() -> int:
    """Forget delivered effects after a week (failed ones stay until someone looks)."""
    return delivery.purge_delivered()


cron("29 4 * * *")(purge_delivered_effects)  # nightly
