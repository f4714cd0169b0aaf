"""Turn ticket domain events into live events, in the process where the change committed."""

from __future__ import annotations

from atiende.core.events import subscribe
from atiende.realtime.log import append_ticket_event
from atiende.tickets.events import MessageAdded, TicketCreated, TicketUpdated


@subscribe(TicketCreated)
def log_ticket_created(event: TicketCreated) -> None:
    append_ticket_event(
        "ticket.created",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        channel=event.channel,
    )


@subscribe(TicketUpdated)
def log_ticket_updated(event: TicketUpdated) -> None:
    append_ticket_event(
        "ticket.updated",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        fields=list(event.fields),
    )


@subscribe(MessageAdded)
def log_message_added(event: MessageAdded) -> None:
    append_ticket_event(
        "message.added",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        message_id=event.message_id,
        public=event.public,
        direction=event.direction,
    )
