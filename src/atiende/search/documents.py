"""Build a ticket's search document from the database, the only source of truth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models.functions import Left

from atiende.core.actor import Actor
from atiende.tickets.models import Message
from atiende.tickets.selectors import visible_tickets

# The indexer reads every ticket: it acts as the system.
INDEXER = Actor.system("search index")

# PostgreSQL refuses a tsvector over 1 MB; 100k characters per part stays well below it for
# any text, English and Spanish lexemes together. Later text of huge threads is not indexed.
MAX_PART_CHARS = 100_000


@dataclass(frozen=True)
class TicketDocument:
    """What search sees of one ticket; internal notes kept apart from what customers see."""

    ticket_id: int
    subject: str
    public_text: str
    internal_text: str


def load_documents(ticket_ids: Sequence[int], *, using: str) -> list[TicketDocument]:
    """The documents of those of ``ticket_ids`` that exist, read in two queries."""
    subjects = dict(
        visible_tickets(INDEXER).using(using).filter(pk__in=ticket_ids).values_list("pk", "subject")
    )
    if not subjects:
        return []
    public: defaultdict[int, list[str]] = defaultdict(list)
    internal: defaultdict[int, list[str]] = defaultdict(list)
    messages = (
        Message.objects.using(using)
        .filter(ticket_id__in=list(subjects))
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "public", Left("body_text", MAX_PART_CHARS))
    )
    for ticket_id, is_public, body in messages:
        (public if is_public else internal)[ticket_id].append(body)
    return [
        TicketDocument(
            ticket_id=pk,
            subject=_clean(subject),
            public_text=_join(public[pk]),
            internal_text=_join(internal[pk]),
        )
        for pk, subject in subjects.items()
    ]


def _join(parts: list[str]) -> str:
    return _clean("\n".join(parts)[:MAX_PART_CHARS])


def _clean(text: str) -> str:
    """Drop NUL bytes, which PostgreSQL cannot store (stored text should have none anyway)."""
    return text.replace("\x00", "") if "\x00" in text else text
