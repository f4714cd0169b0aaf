"""Row locks for the write path: read a visible ticket and hold it until commit."""

from __future__ import annotations

from atiende.core.actor import Actor
from atiende.tickets import config_cache, store
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets


def lock_visible_ticket(actor: Actor, ticket_id: int) -> Ticket:
    """The ticket, locked ``FOR UPDATE`` (SQLite's IMMEDIATE transaction already serialises).

    No joins here: when the row is updated while we wait for the lock, PostgreSQL re-checks
    the WHERE clause against the new row version, and that re-check can drop a row whose
    outer-joined side is empty. The scoping conditions use the ticket's own columns only.
    """
    if actor.user is None:  # the system sees every ticket: the statement built once
        ticket = store.lock_ticket(ticket_id)
        if ticket is None:
            raise TicketNotFound()
        config_cache.attach([ticket])  # its status and priority without a query
        return ticket
    try:
        return visible_tickets(actor).select_for_update().get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketNotFound() from None
