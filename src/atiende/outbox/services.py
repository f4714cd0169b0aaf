"""Writing effects: ``enqueue`` inside the change's transaction, delivered after its commit.

``enqueue`` is one INSERT and no read, so it costs a hot path (ticket create, reply, email
intake) about as little as a row can. Once the transaction commits, this process delivers the
rows it wrote at once (notifications and mails stay as fast as without an outbox); if it dies
first, or a handler fails, the worker's sweep delivers them later (``delivery``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import router, transaction
from django.utils import timezone

from atiende.outbox import delivery, registry, store
from atiende.outbox.models import Effect
from atiende.outbox.tasks import deliver_effects

# Rows delivered per transaction after a commit, and at most this many by the process that
# wrote them (a bulk change of thousands of tickets leaves the rest to the workers).
CHUNK = 100
AT_ONCE_LIMIT = 1000


class OutsideTransaction(RuntimeError):
    """``enqueue`` was called in autocommit: the effect could outlive or miss its change."""


class _Batch:
    """The rows one transaction wrote, delivered together once it commits.

    A batch is registered as a commit callback and found again there by later rows of the same
    transaction (one registered in a savepoint that has since ended is not reused), so a
    rolled-back transaction's batch is dropped with it. A caller that makes many changes in
    savepoints of one transaction (an import batch) opens the batch first (``deliver_together``).
    """

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.outside: list[int] = []

    def __call__(self) -> None:
        """Deliver database effects now; hand effects that talk to the outside to a worker
        (a request does not wait on an SMTP server)."""
        ids, self.ids = self.ids, []
        outside, self.outside = self.outside, []
        now, later = ids[:AT_ONCE_LIMIT], ids[AT_ONCE_LIMIT:]
        for start in range(0, len(now), CHUNK):
            delivery.deliver(ids=now[start : start + CHUNK])
        for start in range(0, len(later), CHUNK):  # a bulk change: the worker does the rest
            deliver_effects.enqueue(later[start : start + CHUNK])
        if outside:
            deliver_effects.enqueue(outside)


def _batch(alias: str) -> _Batch:
    connection = transaction.get_connection(alias)
    open_savepoints = set(connection.savepoint_ids)
    for savepoints, callback, _robust in reversed(connection.run_on_commit):
        if isinstance(callback, _Batch) and set(savepoints) <= open_savepoints:
            return callback
    batch = _Batch()
    transaction.on_commit(batch, using=alias, robust=True)
    return batch


def deliver_together(*, using: str | None = None) -> None:
    """Deliver the effects enqueued from here to the commit together, even those written in
    savepoints that end before it (one delivery per chunk, not one per savepoint).

    Each message of an import batch is written in a savepoint of its own; without this, every
    message's effects would be delivered in a transaction of their own after the commit. Ids of
    rows a later savepoint rolled back are simply not found at delivery.
    """
    alias = using or router.db_for_write(Effect)
    if not transaction.get_connection(alias).in_atomic_block:
        raise OutsideTransaction("deliver_together() needs the transaction it is about")
    _batch(alias)


def new_key(kind: str) -> str:
    """A fresh idempotency key for an effect that has no natural one."""
    return f"{kind}:{uuid.uuid4().hex}"


def enqueue(kind: str, *, payload: dict[str, Any], key: str | None = None) -> Effect:
    """Promise the effect ``kind`` with ``payload``, inside the current transaction.

    Refused outside ``transaction.atomic()``: a row written in autocommit would commit apart
    from the change it belongs to. An unknown ``kind`` is refused too (no handler, no effect).
    """
    alias = router.db_for_write(Effect)
    if not transaction.get_connection(alias).in_atomic_block:
        raise OutsideTransaction(
            f"outbox effect {kind!r} must be written inside the change's transaction"
        )
    handler = registry.lookup(kind)
    now = timezone.now()
    effect = Effect(
        kind=kind,
        key=key or new_key(kind),
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
    store.insert(effect)
    if _deliver_at_once():
        batch = _batch(alias)
        (batch.ids if handler.atomic else batch.outside).append(effect.pk)
    return effect


def _deliver_at_once() -> bool:
    """``ATIENDE_OUTBOX_DELIVER_AT_ONCE = False`` leaves every delivery to the workers."""
    return bool(getattr(settings, "ATIENDE_OUTBOX_DELIVER_AT_ONCE", True))
