"""Build a ticket's search document from the database, the only source of truth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connections

from atiende.core.actor import Actor
from atiende.tickets.models import Message, Ticket

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
    """The documents of those of ``ticket_ids`` that exist, read in one statement.

    Written as SQL rather than two ORM queries: it runs inside every ticket write's
    transaction (the search index is kept there), where compiling two querysets cost more
    than reading the rows.
    """
    if not ticket_ids:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    tickets, messages = quote(Ticket._meta.db_table), quote(Message._meta.db_table)
    marks = ", ".join(["%s"] * len(ticket_ids))
    sql = (
        f"SELECT t.id, t.subject, m.public, SUBSTR(m.body_text, 1, {MAX_PART_CHARS}) "  # noqa: S608
        f"FROM {tickets} t LEFT JOIN {messages} m ON m.ticket_id = t.id "
        f"WHERE t.id IN ({marks}) ORDER BY t.id, m.created_at, m.id"
    )
    subjects: dict[int, str] = {}
    public: defaultdict[int, list[str]] = defaultdict(list)
    internal: defaultdict[int, list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ticket_ids))
        for ticket_id, subject, is_public, body in cursor.fetchall():
            subjects[ticket_id] = subject
            if body is not None:
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
