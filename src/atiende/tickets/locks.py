"""Row locks for the write path: read a visible ticket and hold it until commit."""

from __future__ import annotations

from atiende.core.actor import Actor
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets


def lock_visible_ticket(actor: Actor, ticket_id: int) -> Ticket:
    """The ticket, locked ``FOR UPDATE`` (SQLite's IMMEDIATE transaction already serialises)."""
    try:
        return (
            visible_tickets(actor)
            .select_for_update(of=("self",))
            .select_related("status", "priority", "group", "assignee", "requester")
            .get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise TicketNotFound() from None
