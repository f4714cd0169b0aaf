"""Delivery reports (DSN or plain-text bounces): the mail we sent failed — its state becomes
``failed`` with the report's reason (``outbound.states``: the timeline's badge and its live
update) — and the agents on the ticket get the report as a note. A report never becomes a
ticket, and never a thread key (replies answer the customer, not the mail system)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.core.actor import Actor, Source
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound.outcome import Outcome
from atiende.messaging.inbound.threading import MAX_MERGE_HOPS
from atiende.messaging.models import (
    DeliveryState,
    InboundMessage,
    InboundState,
    OutboundEmail,
)
from atiende.messaging.outbound import states
from atiende.messaging.system import READER
from atiende.tickets.models import Channel, Ticket
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services import add_message

MAX_NOTE = 20_000


def handle(row: InboundMessage, parsed: ParsedEmail, fields: dict[str, object]) -> Outcome:
    """Mark the bounced `OutboundEmail` failed and add the report as an internal note."""
    fields = {**fields, "auto_generated": True}
    outbound = (
        OutboundEmail.objects.filter(message_id=parsed.bounced_message_id).first()
        if parsed.bounced_message_id
        else None
    )
    if outbound is None:
        return Outcome(
            InboundState.IGNORED, _("A delivery report for mail we did not send."), fields=fields
        )
    reason = parsed.bounce_reason or _("The receiving server gave no reason.")
    if parsed.bounce_delayed:
        heading = _("Delivery of our email is delayed: %(reason)s")
    else:
        heading = _("Our email could not be delivered: %(reason)s")
        states.record(outbound.pk, DeliveryState.FAILED, reason=reason)
    ticket = _live(outbound.ticket)
    if _seen(row, parsed, ticket):
        return Outcome(
            InboundState.IGNORED,
            _("This delivery report already arrived."),
            ticket=ticket,
            fields=fields,
        )
    note = f"{heading % {'reason': reason}}\n\n{parsed.text.strip()}".strip()[:MAX_NOTE]
    channel = Actor(user=None, source=Source.CHANNEL, detail=_detail(row))
    message = add_message(
        channel, ticket_id=ticket.pk, body=note, public=False, channel=Channel.EMAIL
    )
    # No thread key: the next reply must answer the customer's message, not the report.
    return Outcome(InboundState.PROCESSED, ticket=ticket, message=message, fields=fields)


def _seen(row: InboundMessage, parsed: ParsedEmail, ticket: Ticket) -> bool:
    """The same report reached us by another route and was already noted on the ticket."""
    if not parsed.message_id:
        return False
    earlier = InboundMessage.objects.filter(
        ticket=ticket, message_id=parsed.message_id[:998], state=InboundState.PROCESSED
    )
    return earlier.exclude(pk=row.pk).exists()


def _live(ticket: Ticket) -> Ticket:
    """The ticket a merged ticket now lives in."""
    for _hop in range(MAX_MERGE_HOPS):
        if ticket.merged_into_id is None:
            break
        ticket = visible_tickets(READER).get(pk=ticket.merged_into_id)
    return ticket


def _detail(row: InboundMessage) -> str:
    return f"email:{row.mailbox.address}" if row.mailbox else "email"
