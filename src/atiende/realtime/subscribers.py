"""Turn ticket domain events into live events, through the outbox, on every database.

Inside the change's transaction a subscriber writes one outbox row with the event's values
(one INSERT, no reads); right after the commit the outbox delivers it in the same process, and
the handler reads the ticket's summary and appends the ``LiveEvent`` in a short transaction of
its own. Log ids are therefore taken by short transactions only, on SQLite and PostgreSQL
alike: a long change no longer holds a low id past the readers' gap grace (``hub.Hub``), and a
rolled-back change still logs nothing. See ``docs/decisions/0002``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from atiende.core.events import subscribe
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.realtime.log import READER, append, append_ticket_event, summarize
from atiende.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.selectors import ticket_events

# Changes that can take a ticket out of someone's sight.
ROUTING_FIELDS = ("group", "assignee")

CREATED = "live.ticket_created"
UPDATED = "live.ticket_updated"
MESSAGE = "live.message_added"


def _promise(kind: str, event: object) -> None:
    assert dataclasses.is_dataclass(event) and not isinstance(event, type)
    enqueue(kind, payload=dataclasses.asdict(event))


@subscribe(TicketCreated, in_transaction=True)
def ticket_created(event: TicketCreated) -> None:
    _promise(CREATED, event)


@subscribe(TicketUpdated, in_transaction=True)
def ticket_updated(event: TicketUpdated) -> None:
    _promise(UPDATED, event)


@subscribe(MessageAdded, in_transaction=True)
def message_added(event: MessageAdded) -> None:
    _promise(MESSAGE, event)


def created_summary(event: dict[str, Any]) -> dict[str, Any] | None:
    """A new ticket's summary from its creation event (``None`` if the event lacks it)."""
    if event.get("status_id") is None or event.get("priority_id") is None:
        return None
    if event.get("requester_id") is None:
        return None
    return summarize(
        ticket_id=event["ticket_id"],
        number=event["number"],
        subject=event.get("subject", ""),
        group_id=event.get("group_id"),
        assignee_id=event.get("assignee_id"),
        requester_id=event["requester_id"],
        status_id=event["status_id"],
        priority_id=event["priority_id"],
        version=1,
    )


@handles(CREATED)
def log_ticket_created(effect: Delivery) -> None:
    event = effect.payload
    append_ticket_event(
        "ticket.created",
        event["ticket_id"],
        summary=created_summary(event),
        actor_id=event["actor_id"],
        source=event["source"],
        channel=event["channel"],
    )


@handles(UPDATED)
def log_ticket_updated(effect: Delivery) -> None:
    event = effect.payload
    fields = list(event["fields"])
    logged = append_ticket_event(
        "ticket.updated",
        event["ticket_id"],
        actor_id=event["actor_id"],
        source=event["source"],
        fields=fields,
    )
    if logged is not None and any(f in fields for f in ROUTING_FIELDS):
        _tell_previous_audience(event["ticket_id"], fields, logged.group_id, logged.assignee_id)


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


@handles(MESSAGE)
def log_message_added(effect: Delivery) -> None:
    event = effect.payload
    append_ticket_event(
        "message.added",
        event["ticket_id"],
        actor_id=event["actor_id"],
        source=event["source"],
        message_id=event["message_id"],
        public=event["public"],
        direction=event["direction"],
    )
