"""The ticket page's answers panel (agents): similar solved tickets, loaded lazily by htmx.

Article suggestions join this panel from the knowledge-base search (``article_suggestions``
block of ``_assist.html``).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from atiende.core.errors import Forbidden
from atiende.core.permissions import is_staff
from atiende.kb.similar import similar_solved_tickets
from atiende.tickets.errors import TicketNotFound
from atiende.web.common import actor


@require_GET
def assist_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Staff only: anyone else gets a 404, as for a ticket they cannot see."""
    if not request.user.is_authenticated or not is_staff(actor(request)):
        raise Http404()
    try:
        similar = similar_solved_tickets(actor(request), ticket_id)
    except (TicketNotFound, Forbidden):
        raise Http404() from None
    cards = [
        {
            "ticket_id": card.ticket_id,
            "number": card.number,
            "subject": card.subject,
            "resolution": card.resolution,
            "percent": round(card.similarity * 100),
        }
        for card in similar
    ]
    return render(request, "web/ticket/_assist.html", {"similar": cards, "ticket_id": ticket_id})
