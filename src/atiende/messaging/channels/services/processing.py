"""Processing a stored payload: read with the provider's adapter, written in one transaction.

`process` reads the stored payload with the provider's adapter and writes everything it says
in ONE transaction: customers found or created by identity, messages threaded into the
conversation's open ticket or a new one (`conversations`), delivery reports (`deliveries`).
`process_batch` (the worker's way) does the same for up to `BATCH` payloads, oldest first, in
one transaction with a savepoint each: one commit for many. Both are idempotent (a provider
message id is written once per account) and never raise for bad input: a payload the adapter
cannot read, or one the ticket services refuse, is quarantined with the reason, naming the
field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.core import transient
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError, NotFound
from atiende.messaging.channels import registry, spool
from atiende.messaging.channels.contract import (
    AlertEvent,
    CallEvent,
    DeliveryUpdate,
    Event,
    InboundMessage,
    Incoming,
    PayloadError,
)
from atiende.messaging.channels.services import media
from atiende.messaging.channels.services.alerts import write_alerts
from atiende.messaging.channels.services.calls import write_call
from atiende.messaging.channels.services.conversations import write_message
from atiende.messaging.channels.services.deliveries import Applied, apply_delivery
from atiende.messaging.channels.services.reasons import MAX_REASON, describe, quarantine
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from atiende.outbox import services as outbox
from atiende.tickets import services as tickets

logger = logging.getLogger(__name__)

# Payloads per transaction in `process_batch`. On SQLite the transaction holds the one write
# lock, and the webhooks wait for it: a smaller batch keeps their answer quick.
BATCH = {"sqlite": 25}
DEFAULT_BATCH = 100


@dataclass(frozen=True)
class Outcome:
    state: ChannelPayloadState
    reason: str = ""


def process(payload_id: int) -> ChannelPayload:
    """Process one stored payload (if still ``received``) and return its row.

    Idempotent and never raises for bad input; redoes the whole transaction on a deadlock
    (``core.transient``) when it owns it.
    """
    row = ChannelPayload.objects.select_related("account").filter(pk=payload_id).first()
    if row is None:
        raise NotFound(_("Unknown channel payload."))
    owner = not connection.in_atomic_block
    for attempt in range(1, transient.ATTEMPTS + 1):
        try:
            return _process(row)
        except Exception as exc:
            if not owner or attempt == transient.ATTEMPTS or not transient.is_transient(exc):
                raise
            logger.warning("channel payload %s: %s; redoing it", row.pk, exc)
    raise AssertionError("unreachable")


def _process(row: ChannelPayload) -> ChannelPayload:
    if row.state != ChannelPayloadState.RECEIVED:
        return row
    if row.verified_at is None:
        return _quarantined(
            row, _("The signature was never checked: the request was cut short after storing it.")
        )
    account = row.account
    # Reading is pure and outside the transaction (on SQLite a transaction holds the lock).
    try:
        adapter = registry.reader(account.provider)
        config = registry.config_for(account)
        events = adapter.read(config, incoming_of(row))
        fetched = media.fetch_inbound_media(account, config, events)  # HTTP: before the lock
    except PayloadError as error:
        return _quarantined(row, unreadable_reason(error))
    except Exception as error:
        logger.exception("channel payload %s could not be read", row.pk)
        return _quarantined(row, _("Reading failed: %(error)s") % {"error": describe(error)})
    try:
        with transaction.atomic():
            current = ChannelPayload.objects.select_for_update().only("state").get(pk=row.pk)
            if current.state != ChannelPayloadState.RECEIVED:
                return _reload(row.pk)  # another worker got there first
            try:
                # A refusal rolls back whatever this payload half-wrote, tally moves included.
                with transaction.atomic(), tickets.channel_batch():
                    outcome = _write(account, adapter.channel, events, fetched)
            except AtiendeError as error:
                outcome = Outcome(ChannelPayloadState.QUARANTINED, describe(error))
            _finish(row, outcome)
    except Exception as error:
        if transient.is_transient(error):
            raise
        logger.exception("channel payload %s could not be processed", row.pk)
        return _quarantined(row, _("Processing failed: %(error)s") % {"error": describe(error)})
    return row


def incoming_of(row: ChannelPayload) -> Incoming:
    """The stored request as the adapters read it (secret headers redacted)."""
    return Incoming(
        method=row.method,
        url=row.url,
        headers=dict(row.headers or {}),
        body=bytes(row.body),
        query=dict(row.query or {}),
        received_at=row.received_at,
    )


def unreadable_reason(error: PayloadError) -> str:
    if error.field:
        return _("The payload is not what the provider sends (%(field)s): %(error)s") % {
            "field": error.field,
            "error": error,
        }
    return _("The payload is not what the provider sends: %(error)s") % {"error": error}


def _write(account: ChannelAccount, channel: str, events: list[Event], fetched: Fetched) -> Outcome:
    actor = Actor(user=None, source=Source.CHANNEL, detail=f"{account.provider}:{account.pk}")
    written = repeated = reports = 0
    unhandled: list[str] = []
    unknown: list[str] = []  # delivery reports for messages we never sent
    alerts: list[AlertEvent] = []  # written together: one payload's notes are one note
    call_notes: list[str] = []
    for event in events:
        if isinstance(event, InboundMessage):
            if write_message(actor, account, channel, event, fetched.get(event.provider_id, [])):
                written += 1
            else:
                repeated += 1
        elif isinstance(event, DeliveryUpdate):
            if apply_delivery(account, event) is Applied.UNKNOWN:
                unknown.append(event.provider_id or "?")
            else:
                reports += 1
        elif isinstance(event, AlertEvent):
            alerts.append(event)
        elif isinstance(event, CallEvent):
            step = write_call(actor, account, event)
            written += step.written
            call_notes += [step.reason] if step.reason else []
        else:
            unhandled.append(str(event.kind))
    reasons = []
    if alerts:
        report = write_alerts(actor, account, alerts)
        written += report.changed
        reasons.append(report.reason())
    reasons += call_notes
    if repeated:
        reasons.append(
            ngettext(
                "%(count)d message had already been written.",
                "%(count)d messages had already been written.",
                repeated,
            )
            % {"count": repeated}
        )
    if unknown:
        reasons.append(
            _("Delivery report for a message we did not send (%(ids)s): ignored.")
            % {"ids": ", ".join(unknown[:5])}
        )
    if unhandled:
        reasons.append(
            _("Not handled yet: %(kinds)s.") % {"kinds": ", ".join(sorted(set(unhandled)))}
        )
    if written or reports:
        return Outcome(ChannelPayloadState.PROCESSED, " ".join(reasons))
    if not events:
        reasons.append(_("The payload holds no message and no delivery report."))
    return Outcome(ChannelPayloadState.IGNORED, " ".join(reasons))


def _finish(row: ChannelPayload, outcome: Outcome) -> None:
    row.state = outcome.state
    row.reason = outcome.reason[:MAX_REASON]
    row.processed_at = timezone.now()
    row.attempts += 1
    row.save(update_fields=["state", "reason", "processed_at", "attempts"])


def _quarantined(row: ChannelPayload, reason: str) -> ChannelPayload:
    quarantine(row.pk, reason)
    return _reload(row.pk)


def _reload(row_id: int) -> ChannelPayload:
    return ChannelPayload.objects.select_related("account").get(pk=row_id)


# --- many payloads in one transaction (the worker) -------------------------------------------

Fetched = dict[str, list[media.Fetched]]  # the media downloaded, by provider message id
# what the adapter read (and the media it names), or why the payload is quarantined
Read = tuple[list[Event], Fetched] | str


def batch_size() -> int:
    return BATCH.get(connection.vendor, DEFAULT_BATCH)


def take_in_spool() -> int:
    """Every request waiting in the spool taken in as a ``received`` row, none processed; how
    many (the sweep's first step, and what a test does to see the rows of its webhooks)."""
    into = spool.directory()
    taken = 0
    while into is not None:
        found = spool.take_in(into, batch_size())
        taken += found
        if found < batch_size():
            break
    return taken


def process_batch(limit: int | None = None) -> list[ChannelPayload]:
    """Process up to ``limit`` ``received`` payloads, oldest first, in ONE transaction with a
    savepoint each; the rows it finished.

    One commit (one fsync on SQLite) and one outbox delivery for the whole batch instead of one
    per payload. A payload refused by the services or failing unexpectedly is quarantined
    alone (its savepoint rolled back: nothing half-applied); the others are written. Reading
    happens before the transaction (pure; on SQLite a transaction holds the write lock). On
    PostgreSQL rows another worker holds are skipped (``SKIP LOCKED``). A deadlock redoes
    the batch. Requests waiting in the spool (``channels.spool``) are taken in first.
    """
    size = limit or batch_size()
    into = spool.directory()
    if into is not None:
        spool.take_in(into, size)
    wanted = list(
        ChannelPayload.objects.select_related("account")
        .filter(state=ChannelPayloadState.RECEIVED)
        .order_by("pk")[:size]
    )
    if not wanted:
        return []
    read = [(row, _read(row)) for row in wanted]
    attempts = [row.attempts for row in wanted]
    for attempt in range(1, transient.ATTEMPTS + 1):
        try:
            return _write_batch(read)
        except Exception as exc:
            if attempt == transient.ATTEMPTS or not transient.is_transient(exc):
                raise
            logger.warning("channel payload batch: %s; redoing it", exc)
            for row, count in zip(wanted, attempts, strict=True):  # as before the rollback
                row.state, row.reason, row.processed_at = ChannelPayloadState.RECEIVED, "", None
                row.attempts = count
    raise AssertionError("unreachable")


def _read(row: ChannelPayload) -> Read:
    if row.verified_at is None:
        return _("The signature was never checked: the request was cut short after storing it.")
    try:
        config = registry.config_for(row.account)
        events = registry.reader(row.account.provider).read(config, incoming_of(row))
        return events, media.fetch_inbound_media(row.account, config, events)
    except PayloadError as error:
        return unreadable_reason(error)
    except Exception as error:
        logger.exception("channel payload %s could not be read", row.pk)
        return _("Reading failed: %(error)s") % {"error": describe(error)}


def _write_batch(read: list[tuple[ChannelPayload, Read]]) -> list[ChannelPayload]:
    done: list[ChannelPayload] = []
    with transaction.atomic(), tickets.channel_batch():
        outbox.deliver_together()  # the batch's effects delivered in chunks after the commit
        held = set(
            ChannelPayload.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[row.pk for row, _events in read], state=ChannelPayloadState.RECEIVED)
            .values_list("pk", flat=True)
        )
        for row, events in read:
            if row.pk not in held:
                continue  # another worker has it, or got there first
            if isinstance(events, str):
                outcome = Outcome(ChannelPayloadState.QUARANTINED, events)
            else:
                outcome = _write_alone(row, *events)
            _finish(row, outcome)
            done.append(row)
    return done


def _write_alone(row: ChannelPayload, events: list[Event], fetched: Fetched) -> Outcome:
    """One payload of a batch in its savepoint: a refusal or a bug rolls back only its own
    writes (tally moves included) and quarantines only it."""
    adapter = registry.reader(row.account.provider)
    try:
        with transaction.atomic(), tickets.channel_batch():
            return _write(row.account, adapter.channel, events, fetched)
    except AtiendeError as error:
        return Outcome(ChannelPayloadState.QUARANTINED, describe(error))
    except Exception as error:
        if transient.is_transient(error):
            raise
        logger.exception("channel payload %s could not be processed", row.pk)
        reason = _("Processing failed: %(error)s") % {"error": describe(error)}
        return Outcome(ChannelPayloadState.QUARANTINED, reason)
