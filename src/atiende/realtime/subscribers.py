"""Turn ticket domain events into live events, inside the change's transaction, on every database.

The ``LiveEvent`` log is itself a durable outbox for live events: its row is written by one
in-transaction subscriber per event type, so it commits with the change or not at all (a
rolled-back change logs nothing; a committed one cannot lose its event to a crash after the
commit), on SQLite and PostgreSQL alike, with no second commit. A creation's summary comes from
the event itself (no read); an update or a message reads the ticket's summary once, by primary
key, with a statement built once. On PostgreSQL a long change now holds a low log id until it
commits; the readers settle such gaps exactly by transaction ids (``hub``). See
``docs/decisions/0002``.
"""

from __future__ import annotations

from typing import Any

from atiende.core.event_types import MessageDeliveryChanged
from atiende.core.events import subscribe
from atiende.realtime.log import READER, append, append_ticket_event, summarize
from atiende.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.selectors import ticket_events

# Changes that can take a ticket out of someone's sight.
ROUTING_FIELDS = ("group", "assignee")


def created_summary(event: TicketCreated) -> dict[str, Any] | None:
    """A new ticket's summary from its creation event (``None`` if the event lacks it)."""
    if event.status_id is None or event.priority_id is None or event.requester_id is None:
        return None
    return summarize(
        ticket_id=event.ticket_id,
        number=event.number,
        subject=event.subject,
        group_id=event.group_id,
        assignee_id=event.assignee_id,
        requester_id=event.requester_id,
        status_id=event.status_id,
        priority_id=event.priority_id,
        version=1,
    )


@subscribe(TicketCreated, in_transaction=True)
def log_ticket_created(event: TicketCreated) -> None:
    append_ticket_event(
        "ticket.created",
        event.ticket_id,
        summary=created_summary(event),
        actor_id=event.actor_id,
        source=event.source,
        channel=event.channel,
    )


@subscribe(TicketUpdated, in_transaction=True)
def log_ticket_updated(event: TicketUpdated) -> None:
    fields = list(event.fields)
    logged = append_ticket_event(
        "ticket.updated",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        fields=fields,
    )
    if logged is not None and any(f in fields for f in ROUTING_FIELDS):
        _tell_previous_audience(event.ticket_id, fields, logged.group_id, logged.assignee_id)


def _old_id(value: Any) -> int | None:
    return value.get("id") if isinstance(value, dict) else None


def _tell_previous_audience(
    ticket_id: int, fields: list[str], group_id: int | None, assignee_id: int | None
) -> None:
    """Tell those who saw the ticket before a re-route that it left their sight.

    The event carries only the ticket id (no subject): its receivers may no longer see it, and
    their pages only need to drop or refresh the row.
    """
    old_group, old_assignee = group_id, assignee_id
    changes = ticket_events(READER, ticket_id).filter(field__in=ROUTING_FIELDS)
    for field in ROUTING_FIELDS:
        if field in fields:
            last = changes.filter(field=field).order_by("-created_at", "-id").first()
            if last is not None:
                if field == "group":
                    old_group = _old_id(last.old_value)
                else:
                    old_assignee = _old_id(last.old_value)
    if (old_group, old_assignee) == (group_id, assignee_id):
        return
    append(
        "ticket.updated",
        payload={"ticket_id": ticket_id, "fields": fields, "left": True},
        ticket_id=ticket_id,
        group_id=old_group,
        assignee_id=old_assignee,
    )


@subscribe(MessageAdded, in_transaction=True)
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


@subscribe(MessageDeliveryChanged, in_transaction=True)
def log_message_delivery(event: MessageDeliveryChanged) -> None:
    """A channel message's delivery state (sent, delivered, read, failed): the timeline shows
    it; its page refreshes on ``message.delivery``."""
    append_ticket_event(
        "message.delivery",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        message_id=event.message_id,
        state=event.new_state,
    )
