"""Delivering effects: at once after their commit, else by the sweep, with retries.

A delivery is one transaction that first locks the rows it will deliver (``SELECT … FOR UPDATE
SKIP LOCKED`` on PostgreSQL: a second worker skips them; on SQLite the IMMEDIATE transaction's
write lock serialises workers, and the second one finds the rows already delivered). Database
handlers run inside that transaction, each in a savepoint, so their writes and the row's
"delivered" mark commit together: a process killed half-way leaves both undone, and the row
pending for the next sweep.

Handlers that talk to the outside world (``atomic=False``) must not hold the lock while they
wait on a network: the row is *leased* instead (an attempt counted, its next attempt pushed
``LEASE`` ahead, committed), the handler runs, and the row is marked after. Messaging's
outbound sends claim the same way. Those handlers get the key to make a second run harmless.

A failure moves the next attempt back exponentially (``backoff``); after ``MAX_ATTEMPTS`` the
row is ``failed``, logged, and listed in the admin. ``now`` is a parameter so tests move the
clock instead of sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from atiende.outbox import registry
from atiende.outbox.models import Effect, EffectState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=10)  # longer than an outside handler's timeouts add up to
# Rows per sweep transaction: small, so a worker killed mid-sweep loses little work, and a
# slow handler never holds many rows (or SQLite's write lock) for long.
SWEEP_BATCH = 10
KEEP_DELIVERED = timedelta(days=7)  # long enough to look into what happened last week
ERROR_LENGTH = 2000


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … after the 1st, 2nd, 3rd … failure, at most an hour."""
    return min(FIRST_RETRY * (1 << max(0, attempts - 1)), LONGEST_WAIT)


def deliver(*, ids: Sequence[int], now: datetime | None = None) -> int:
    """Deliver the pending rows among ``ids`` that are due; returns how many were delivered.

    The process that wrote the rows calls this right after their commit.
    """
    return _deliver(list(ids), now=now or timezone.now(), limit=len(ids))


def deliver_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Deliver the pending rows whose next attempt has come (the worker's sweep)."""
    return _deliver(None, now=now or timezone.now(), limit=limit)


def _deliver(ids: list[int] | None, *, now: datetime, limit: int) -> int:
    delivered = 0
    leased: list[Effect] = []
    with transaction.atomic():
        due = Effect.objects.filter(state=EffectState.PENDING, next_attempt_at__lte=now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        rows = list(
            due.select_for_update(skip_locked=True).order_by("next_attempt_at", "pk")[:limit]
        )
        done: list[int] = []
        for row in rows:
            entry = _entry(row, now)
            if entry is None:
                continue
            row.attempts += 1
            if not entry.atomic:
                leased.append(row)
                continue
            try:
                with transaction.atomic():
                    entry.handler(_delivery(row))
            except Exception as error:
                _failed(row, error, now)
            else:
                done.append(row.pk)
        if leased:
            Effect.objects.filter(pk__in=[r.pk for r in leased]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
        if done:
            delivered += Effect.objects.filter(pk__in=done).update(
                state=EffectState.DELIVERED,
                attempts=F("attempts") + 1,
                delivered_at=timezone.now(),
                next_attempt_at=None,
                last_error="",
            )
    for row in leased:
        delivered += _run_outside(row, now)
    return delivered


def _entry(row: Effect, now: datetime) -> registry.Registered | None:
    try:
        return registry.lookup(row.kind)
    except registry.UnknownKind as error:  # a kind removed since the row was written
        row.attempts += 1
        _give_up(row, str(error))
        return None


def _delivery(row: Effect) -> registry.Delivery:
    return registry.Delivery(kind=row.kind, key=row.key, payload=row.payload, attempt=row.attempts)


def _run_outside(row: Effect, now: datetime) -> int:
    """Run a leased row's handler with no transaction open; mark it after."""
    try:
        registry.lookup(row.kind).handler(_delivery(row))
    except Exception as error:
        with transaction.atomic():
            _failed(row, error, now)
        return 0
    return Effect.objects.filter(pk=row.pk, attempts=row.attempts).update(
        state=EffectState.DELIVERED,
        delivered_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
    )


def _failed(row: Effect, error: Exception, now: datetime) -> None:
    """Count the attempt and schedule the next one, or give up after ``MAX_ATTEMPTS``."""
    reason = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if row.attempts >= MAX_ATTEMPTS:
        log.error(
            "outbox effect %s (%s) failed %d times: %s", row.pk, row.kind, row.attempts, reason
        )
        _give_up(row, reason)
        return
    log.warning(
        "outbox effect %s (%s) failed, attempt %d: %s", row.pk, row.kind, row.attempts, reason
    )
    wait = backoff(row.attempts)
    if isinstance(error, registry.RetryLater):
        wait = max(wait, error.after)  # the provider said when (``Retry-After``)
    Effect.objects.filter(pk=row.pk).update(
        attempts=row.attempts, last_error=reason, next_attempt_at=now + wait
    )


def _give_up(row: Effect, reason: str) -> None:
    Effect.objects.filter(pk=row.pk).update(
        state=EffectState.FAILED, attempts=row.attempts, last_error=reason, next_attempt_at=None
    )


def purge_delivered(*, now: datetime | None = None) -> int:
    """Forget delivered effects older than ``KEEP_DELIVERED``; failed ones stay in sight."""
    cutoff = (now or timezone.now()) - KEEP_DELIVERED
    deleted, _ = Effect.objects.filter(state=EffectState.DELIVERED, created_at__lt=cutoff).delete()
    return deleted
