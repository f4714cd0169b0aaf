"""SQLite: an FTS5 table whose rowid is the ticket id (created by migration 0001).

Every word becomes a quoted FTS5 string, so nothing a user types is read as FTS5 syntax.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.db.backends.utils import CursorWrapper

from atiende.search.backends.base import TABLE, TicketIndex, placeholders
from atiende.search.documents import TicketDocument
from atiende.search.expressions import TicketCondition
from atiende.search.terms import SearchTerms

MATCHES = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"  # noqa: S608  (constants)
MATCHING_IDS = f"{MATCHES} LIMIT %s"
# Rows per INSERT: four parameters each, well under SQLite's 32,766 per statement.
MAX_ROWS = 2_000
# Customers must never match on internal notes, so their queries name the other columns.
PUBLIC_COLUMNS = "{subject public_text}"


class SqliteTicketIndex(TicketIndex):
    def write(
        self,
        cursor: CursorWrapper,
        ticket_ids: Sequence[int],
        documents: Sequence[TicketDocument],
    ) -> None:
        # Only placeholders and constant names are interpolated into the SQL below; big
        # batches are cut to stay under SQLite's limit of bound parameters per statement.
        for ids in itertools.batched(ticket_ids, MAX_ROWS * 4):
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders(len(ids))})",  # noqa: S608
                ids,
            )
        for docs in itertools.batched(documents, MAX_ROWS):
            rows = placeholders(len(docs), "(%s, %s, %s, %s)")
            params = [
                value
                for doc in docs
                for value in (doc.ticket_id, doc.subject, doc.public_text, doc.internal_text)
            ]
            cursor.execute(
                f"INSERT INTO {TABLE} (rowid, subject, public_text, internal_text) VALUES {rows}",  # noqa: S608
                params,
            )

    def match(
        self, cursor: CursorWrapper, terms: SearchTerms, *, include_internal: bool, limit: int
    ) -> list[int] | TicketCondition:
        expression = match_expression(terms, include_internal=include_internal)
        cursor.execute(MATCHING_IDS, [expression, limit])
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) < limit:
            return ids
        # "+ 0" keeps SQLite from driving the query by the match list: it builds the list once
        # and walks the caller's order index, stopping after a page.
        return TicketCondition(f"({{ticket}} + 0) IN ({MATCHES})", [expression])

    def purge_orphans(self, cursor: CursorWrapper, *, ticket_table: str) -> None:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM {ticket_table})"  # noqa: S608
        )

    def optimize(self, cursor: CursorWrapper) -> None:
        cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")  # noqa: S608


def match_expression(terms: SearchTerms, *, include_internal: bool) -> str:
    """An FTS5 query requiring every word: ``"a" AND "b" *``, column-filtered for customers."""
    phrases = ['"' + word.replace('"', '""') + '"' for word in terms.words]
    if terms.prefix:
        phrases[-1] += " *"
    expression = " AND ".join(phrases)
    return expression if include_internal else f"{PUBLIC_COLUMNS} : ({expression})"
