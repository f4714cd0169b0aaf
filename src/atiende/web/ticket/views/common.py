"""What the ticket views share: loading the ticket, reading htmx requests."""

from __future__ import annotations

from django.http import HttpRequest

from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import get_ticket
from atiende.web.common import actor
from atiende.web.errors import TicketGone

CHANGED = "ticket-changed"


def load_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket if the agent may see it; missing and invisible are both a 404
    (``TicketGone``: an htmx request goes back to the inbox with a message)."""
    try:
        return get_ticket(actor(request), ticket_id)
    except TicketNotFound:
        raise TicketGone() from None


def still_visible(request: HttpRequest, ticket_id: int) -> Ticket | None:
    """The ticket after the agent's own change, or ``None`` when the change took it out of
    their sight (another group, unassigned from them)."""
    try:
        return get_ticket(actor(request), ticket_id)
    except TicketNotFound:
        return None


def parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() and len(value) < 12 else None
