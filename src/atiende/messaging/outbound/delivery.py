"""Delivering queued mail exactly once, with retries and backoff, safe against races.

An attempt first *claims* the row with one conditional UPDATE (attempts + 1, next attempt
pushed a lease ahead): of two workers that pick the same row, only one sends. A worker killed
mid-send leaves the row queued; when the lease runs out the minute sweep tries again (the
Message-ID is the same, so a receiver may de-duplicate). A SENT row is never sent again.

Each change of state is written by ``states.record``, which also publishes the change
(``MessageDeliveryChanged``) in the same transaction.

``now`` is a parameter so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.messaging.models import DeliveryState, OutboundEmail
from atiende.messaging.outbound import compose, smtp, states

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=10)  # longer than any SMTP conversation's timeouts add up to
SWEEP_BATCH = 50


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, at most an hour."""
    return min(FIRST_RETRY * (1 << max(0, attempts - 1)), LONGEST_WAIT)


def deliver(outbound_id: int, *, now: datetime | None = None) -> str:
    """Try to send one mail if it is queued and due; returns its state afterwards."""
    now = now or timezone.now()
    row = OutboundEmail.objects.filter(pk=outbound_id).first()
    if row is None:
        return "missing"
    if row.state != DeliveryState.QUEUED:
        return row.state
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return "waiting"
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = OutboundEmail.objects.filter(
        due, pk=row.pk, state=DeliveryState.QUEUED, attempts=row.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return "busy"
    row.refresh_from_db()
    try:
        msg = compose.build(row)
    except Exception as error:  # a missing attachment file, a broken template row
        log.exception("outbound %s could not be composed", row.pk)
        return _finish(
            row, DeliveryState.FAILED, _("Could not compose: %(error)s") % {"error": error}
        )
    try:
        smtp.send(
            msg,
            mailbox=row.mailbox,
            from_addr=compose.envelope_sender(row.mailbox),
            to=[*row.to, *row.cc],
        )
    except smtp.DeliveryError as error:
        if error.permanent:
            return _finish(row, DeliveryState.FAILED, error.reason)
        if row.attempts >= MAX_ATTEMPTS:
            reason = _("Gave up after %(n)d attempts: %(reason)s") % {
                "n": row.attempts,
                "reason": error.reason,
            }
            return _finish(row, DeliveryState.FAILED, reason)
        OutboundEmail.objects.filter(pk=row.pk).update(
            reason=error.reason, next_attempt_at=now + backoff(row.attempts)
        )
        return DeliveryState.QUEUED
    states.record(
        row.pk, DeliveryState.SENT, sent_at=timezone.now(), reason="", next_attempt_at=None
    )
    return DeliveryState.SENT


def _finish(row: OutboundEmail, state: str, reason: str) -> str:
    states.record(row.pk, state, reason=reason, next_attempt_at=None)
    return state


def deliver_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Attempt every queued mail whose next attempt has come; returns how many were sent."""
    now = now or timezone.now()
    due = (
        OutboundEmail.objects.filter(state=DeliveryState.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk, now=now) == DeliveryState.SENT for pk in list(due))
