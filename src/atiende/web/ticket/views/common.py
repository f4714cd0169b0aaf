"""What the ticket views share: loading the ticket, reading htmx requests."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import get_ticket
from atiende.web.common import actor

CHANGED = "ticket-changed"


def load_ticket(request: HttpRequest, ticket_id: int) -> Ticket:
    """The ticket if the agent may see it; missing and invisible are both a 404."""
    try:
        return get_ticket(actor(request), ticket_id)
    except TicketNotFound:
        raise Http404(_("Ticket not found.")) from None


def parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None
