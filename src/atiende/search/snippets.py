"""Why each ticket on a results page matched: a marked snippet of its subject or a message.

Only the tickets of one page are read (at most a few dozen), their messages in one bounded
query, so highlighting costs the same on a hundred tickets as on a million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models.functions import Left
from django.utils.safestring import SafeString

from atiende.core.actor import Actor
from atiende.search.highlight import highlight, snippet
from atiende.tickets.models import Message, Ticket
from atiende.tickets.selectors import visible_tickets

# How much of the page's conversations is read to find a matching passage.
MAX_MESSAGES = 500
MAX_MESSAGE_CHARS = 5_000


@dataclass(frozen=True)
class TicketSnippet:
    subject: SafeString
    text: SafeString | None
    internal: bool


def ticket_snippets(
    actor: Actor, tickets: Sequence[Ticket], query: str
) -> dict[int, TicketSnippet]:
    """For each ticket: its subject with the query's words marked, and the first matching
    passage of its conversation (internal notes only for staff)."""
    if not tickets:
        return {}
    ids = [t.pk for t in tickets]
    staff = actor.user is None or actor.user.is_agent
    messages = Message.objects.filter(ticket__in=visible_tickets(actor).filter(pk__in=ids))
    if not staff:
        messages = messages.filter(public=True)
    rows = messages.order_by("ticket_id", "created_at", "pk").values_list(
        "ticket_id", "public", Left("body_text", MAX_MESSAGE_CHARS)
    )[:MAX_MESSAGES]
    passages: dict[int, tuple[SafeString, bool]] = {}
    for ticket_id, public, body in rows:
        if ticket_id in passages:
            continue
        found = snippet(body, query)
        if found is not None:
            passages[ticket_id] = (found, not public)
    result: dict[int, TicketSnippet] = {}
    for ticket in tickets:
        text, internal = passages.get(ticket.pk, (None, False))
        result[ticket.pk] = TicketSnippet(
            subject=highlight(ticket.subject, query), text=text, internal=internal
        )
    return result
