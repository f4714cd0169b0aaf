"""The ticket page's answers panel (agents), loaded lazily by htmx: the knowledge-base
articles that best answer the ticket (inserted into the reply as a link or as text) and the
most similar solved tickets with their resolution."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from atiende.core.errors import Forbidden
from atiende.core.permissions import is_staff
from atiende.kb.similar import similar_solved_tickets
from atiende.kb.suggest import for_ticket
from atiende.tickets.errors import TicketNotFound
from atiende.web.common import actor


@require_GET
def assist_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Staff only: anyone else gets a 404, as for a ticket they cannot see."""
    if not request.user.is_authenticated or not is_staff(actor(request)):
        raise Http404()
    try:
        similar = similar_solved_tickets(actor(request), ticket_id)
        articles = for_ticket(actor(request), ticket_id)
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
    offered = [
        {
            "title": found.suggestion.plain_title,
            "language": found.suggestion.language,
            "other_language": found.suggestion.other_language,
            "url": request.build_absolute_uri(
                reverse(
                    "help-article",
                    kwargs={
                        "lang": found.suggestion.language,
                        "article_id": found.suggestion.article_id,
                        "slug": found.suggestion.slug,
                    },
                )
            ),
            "body": found.body,
            "internal": found.internal,
        }
        for found in articles
    ]
    context = {"similar": cards, "articles": offered, "ticket_id": ticket_id}
    return render(request, "web/ticket/_assist.html", context)
