"""Processing a stored payload: read with the provider's adapter, written in one transaction.

`process` reads the stored payload with the provider's adapter and writes everything it says
in ONE transaction: customers found or created by identity, messages threaded into the
conversation's open ticket or a new one (`conversations`), delivery reports (`deliveries`). It
is idempotent (a provider message id is written once per account) and never raises for bad
input: a payload the adapter cannot read, or one the ticket services refuse, is quarantined
with the reason, naming the field.
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
from atiende.messaging.channels import registry
from atiende.messaging.channels.contract import (
    DeliveryUpdate,
    Event,
    InboundMessage,
    Incoming,
    PayloadError,
)
from atiende.messaging.channels.services.conversations import write_message
from atiende.messaging.channels.services.deliveries import apply_delivery
from atiende.messaging.channels.services.reasons import MAX_REASON, describe, quarantine
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState
from atiende.tickets import services as tickets

logger = logging.getLogger(__name__)


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
        events = adapter.read(registry.config_for(account), incoming_of(row))
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
                    outcome = _write(account, adapter.channel, events)
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


def _write(account: ChannelAccount, channel: str, events: list[Event]) -> Outcome:
    actor = Actor(user=None, source=Source.CHANNEL, detail=f"{account.provider}:{account.pk}")
    written = repeated = reports = 0
    unhandled: list[str] = []
    for event in events:
        if isinstance(event, InboundMessage):
            if write_message(actor, account, channel, event):
                written += 1
            else:
                repeated += 1
        elif isinstance(event, DeliveryUpdate):
            reports += 1
            apply_delivery(account, event)
        else:
            unhandled.append(str(event.kind))
    reasons = []
    if repeated:
        reasons.append(
            ngettext(
                "%(count)d message had already been written.",
                "%(count)d messages had already been written.",
                repeated,
            )
            % {"count": repeated}
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
