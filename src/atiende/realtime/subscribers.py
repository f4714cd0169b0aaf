"""Turn ticket domain events into live events, in the process where the change happened.

On SQLite the row is written inside the change's own transaction: no second commit (each costs
an fsync, ~1.5 ms of the single write lock), and ids still follow commit order because writers
are serialised. Elsewhere (PostgreSQL) it is written after the commit, in a tiny transaction of
its own: a long transaction holding a low id could otherwise outlast the readers' gap grace
(``hub.Hub``) and its event be skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections, router

from atiende.core.events import subscribe
from atiende.realtime.log import READER, append, append_ticket_event, summarize
from atiende.realtime.models import LiveEvent
from atiende.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.selectors import ticket_events

# Changes that can take a ticket out of someone's sight.
ROUTING_FIELDS = ("group", "assignee")

E = TypeVar("E")


def inside_transaction() -> bool:
    return connections[router.db_for_write(LiveEvent)].vendor == "sqlite"


def logs(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Subscribe ``handler`` both ways; exactly one of them writes, by database vendor."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        def during(event: E) -> None:
            if inside_transaction():
                handler(event)

        def after(event: E) -> None:
            if not inside_transaction():
                handler(event)

        subscribe(event_type, in_transaction=True)(during)
        subscribe(event_type)(after)
        return handler

    return register


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


@logs(TicketCreated)
def log_ticket_created(event: TicketCreated) -> None:
    append_ticket_event(
        "ticket.created",
        event.ticket_id,
        summary=created_summary(event),
        actor_id=event.actor_id,
        source=event.source,
        channel=event.channel,
    )


@logs(TicketUpdated)
def log_ticket_updated(event: TicketUpdated) -> None:
    logged = append_ticket_event(
        "ticket.updated",
        event.ticket_id,
        actor_id=event.actor_id,
        source=event.source,
        fields=list(event.fields),
    )
    if logged is not None and any(f in event.fields for f in ROUTING_FIELDS):
        _tell_previous_audience(event, logged.group_id, logged.assignee_id)


def _old_id(value: Any) -> int | None:
    return value.get("id") if isinstance(value, dict) else None


def _tell_previous_audience(
    event: TicketUpdated, group_id: int | None, assignee_id: int | None
) -> None:
    """Tell those who saw the ticket before a re-route that it left their sight.

    The event carries only the ticket id (no subject): its receivers may no longer see it, and
    their pages only need to drop or refresh the row.
    """
    old_group, old_assignee = group_id, assignee_id
    changes = ticket_events(READER, event.ticket_id).filter(field__in=ROUTING_FIELDS)
    for field in ROUTING_FIELDS:
        if field in event.fields:
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
        payload={"ticket_id": event.ticket_id, "fields": list(event.fields), "left": True},
        ticket_id=event.ticket_id,
        group_id=old_group,
        assignee_id=old_assignee,
    )


@logs(MessageAdded)
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
