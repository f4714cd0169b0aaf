"""Similar solved tickets: what the team answered before to a question like this one.

A ticket that enters a solved or closed status is embedded as kind "ticket" (its subject, the
customer's first message and the resolution, or else the last public reply of the team); one
that leaves those statuses, is merged away or cancelled is dropped. The work is an outbox
effect delivered by a worker after the commit, never inside the ticket's transaction: a ticket
change stays as fast as before, and the encoder loads in workers, not in every request.

Cards are for staff only, and only of tickets the agent may see (``visible_tickets``):
customers see articles, never other people's tickets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import batched

from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.event_types import TicketUpdated
from atiende.core.events import subscribe
from atiende.core.permissions import require_staff
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.semantic import encoder
from atiende.semantic import selectors as semantic_selectors
from atiende.semantic import services as semantic
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Direction, StatusCategory, Ticket
from atiende.tickets.selectors import (
    get_ticket,
    ticket_for_rules,
    visible_messages,
    visible_tickets,
)

log = logging.getLogger(__name__)

KIND = "ticket"
SYNC = "semantic.ticket"
SOLVED = (StatusCategory.SOLVED, StatusCategory.CLOSED)
SYSTEM = Actor.system("similar-tickets")
EXCERPT = 280
# Below this cosine similarity a ticket is about something else (unrelated texts score
# about 0.0-0.25 with this encoder).
MIN_SIMILARITY = 0.35
# Nearest neighbours fetched before the gate: enough that an agent who sees a fraction of the
# tickets still gets ``limit`` cards without a second, restricted search in most cases.
OVERFETCH = 20


@dataclass(frozen=True)
class SimilarTicket:
    """One card: a solved ticket the agent may open, and how it was solved."""

    ticket_id: int
    number: int
    subject: str
    resolution: str
    similarity: float


@subscribe(TicketUpdated, in_transaction=True)
def status_changed(event: TicketUpdated) -> None:
    """Enqueue the ticket's re-indexing when its status enters or leaves solved/closed (or it
    is merged); one indexed read, only on status changes."""
    if "status" not in event.fields and "merged_into" not in event.fields:
        return
    if not encoder.enabled():  # switched off: nothing to keep up to date
        return
    ticket = ticket_for_rules(event.ticket_id)
    if ticket is None:
        return
    if ticket.status.category in SOLVED or semantic_selectors.has(KIND, ticket.pk):
        enqueue(SYNC, payload={"ticket_id": ticket.pk})


@handles(SYNC, atomic=False)
def sync_ticket(delivery: Delivery) -> None:
    """Index the ticket as it is now, or drop it; safe to run twice (the last state wins)."""
    ticket_id = int(delivery.payload["ticket_id"])
    try:
        ticket = get_ticket(SYSTEM, ticket_id)
    except TicketNotFound:
        semantic.drop(KIND, ticket_id)
        return
    if not _indexable(ticket):
        semantic.drop(KIND, ticket_id)
        return
    if not semantic.index(KIND, ticket.pk, ticket.language, ticket_text(ticket)):
        if not encoder.enabled():  # switched off since: the rebuild catches up
            return
        raise RuntimeError("the sentence encoder is unavailable")  # the outbox retries later


def _indexable(ticket: Ticket) -> bool:
    return ticket.status.category in SOLVED and ticket.merged_into_id is None


def ticket_text(ticket: Ticket) -> str:
    """Subject, the customer's first message and how it was solved."""
    question = _first_customer_message(ticket)
    answer = ticket.resolution.strip() or _last_public_reply(ticket)
    return "\n".join(part for part in (ticket.subject, question, answer) if part)


def _first_customer_message(ticket: Ticket) -> str:
    first = (
        visible_messages(SYSTEM, ticket)
        .filter(public=True, direction=Direction.INBOUND)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)
        .first()
    )
    return first or ""


def _last_public_reply(ticket: Ticket, actor: Actor = SYSTEM) -> str:
    last = (
        visible_messages(actor, ticket)
        .filter(public=True, direction=Direction.OUTBOUND)
        .order_by("-created_at", "-id")
        .values_list("body_text", flat=True)
        .first()
    )
    return last or ""


def similar_solved_tickets(actor: Actor, ticket_id: int, limit: int = 5) -> list[SimilarTicket]:
    """The solved tickets most like ``ticket_id`` that ``actor`` (staff) may see, best first.

    Customers are refused (``Forbidden``); an invisible or missing ticket raises
    ``TicketNotFound``. Empty when the encoder is unavailable.
    """
    require_staff(actor)
    ticket = get_ticket(actor, ticket_id)
    limit = max(1, min(limit, 20))
    query = semantic_selectors.vector_of(KIND, ticket.pk)
    if query is None:
        text = "\n".join(p for p in (ticket.subject, _first_customer_message(ticket)) if p)
        vector = semantic_selectors.query_vector(text)
        if vector is None:
            return []
        query = vector
    hits = _visible_hits(
        actor, ticket.pk, semantic_selectors.nearest(KIND, query, limit * OVERFETCH)
    )
    if len(hits) < limit and not _sees_everything(actor):
        # The nearest ones belong to other groups: search only among the agent's solved tickets.
        mine = (
            visible_tickets(actor).filter(status__category__in=SOLVED).values_list("pk", flat=True)
        )
        hits = _visible_hits(
            actor,
            ticket.pk,
            semantic_selectors.nearest(KIND, query, limit + 1, restrict_to=set(mine)),
        )
    return _cards(actor, hits[:limit])


def _sees_everything(actor: Actor) -> bool:
    return actor.user is None or actor.user.is_admin


def _visible_hits(
    actor: Actor, ticket_id: int, hits: Sequence[tuple[int, float]]
) -> list[tuple[Ticket, float]]:
    close = [(i, s) for i, s in hits if i != ticket_id and s >= MIN_SIMILARITY]
    found = visible_tickets(actor).filter(
        pk__in=[i for i, _s in close], merged_into=None, status__category__in=SOLVED
    )
    tickets = {t.pk: t for t in found}
    return [(tickets[i], s) for i, s in close if i in tickets]


def _cards(actor: Actor, hits: Iterable[tuple[Ticket, float]]) -> list[SimilarTicket]:
    cards = []
    for ticket, similarity in hits:
        resolution = ticket.resolution.strip() or _last_public_reply(ticket, actor)
        cards.append(
            SimilarTicket(
                ticket_id=ticket.pk,
                number=ticket.number,
                subject=ticket.subject,
                resolution=_excerpt(resolution) or _("No resolution was written."),
                similarity=round(similarity, 3),
            )
        )
    return cards


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT:
        return text
    return text[:EXCERPT].rsplit(" ", 1)[0] + "…"


def rebuild_tickets(*, batch: int = 200) -> int:
    """Index every solved or closed ticket again and forget any other; how many were indexed
    (``0`` with tickets to index: the encoder is unavailable, nothing is dropped)."""
    solved = (
        visible_tickets(SYSTEM)
        .filter(status__category__in=SOLVED, merged_into=None)
        .order_by("pk")
        .only("pk", "subject", "language", "resolution")
    )
    total, kept = 0, list[int]()
    for chunk in batched(solved.iterator(chunk_size=batch), batch):
        texts = [semantic.Text(t.pk, t.language, ticket_text(t)) for t in chunk]
        done = semantic.index_many(KIND, texts)
        if not done:
            return 0
        total += done
        kept.extend(t.pk for t in chunk)
    semantic.keep_only(KIND, kept)
    return total
