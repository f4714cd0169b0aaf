"""PostgreSQL: a table of two tsvectors (all text, public text) with GIN indexes.

Documents and queries go through both the English and the Spanish configuration, so either
language's stemming finds a match. Words are passed to ``websearch_to_tsquery`` as quoted
phrases: it never raises on any input, and a user's ``-`` or ``or`` stays a plain word.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.utils import CursorWrapper

from atiende.core.folding import fold_accents
from atiende.search.backends.base import TABLE, TicketIndex
from atiende.search.documents import MAX_PART_CHARS, TicketDocument
from atiende.search.expressions import TicketCondition
from atiende.search.folding import fold_sql
from atiende.search.terms import SearchTerms
from atiende.tickets.models import Message, Ticket

LANGUAGES = ("english", "spanish")
TICKETS, MESSAGES = f'"{Ticket._meta.db_table}"', f'"{Message._meta.db_table}"'

# Text is folded before the configurations read it (``search.folding``): "Vázquez" is indexed
# as "vazquez", and queries are folded the same way in Python.
_SUBJECT_TEXT = fold_sql("d.subject")
_PUBLIC_TEXT = fold_sql("d.public_text")
_INTERNAL_TEXT = fold_sql("d.internal_text")
_SUBJECT = " || ".join(
    f"setweight(to_tsvector('{lang}', {_SUBJECT_TEXT}), 'A')" for lang in LANGUAGES
)
_PUBLIC = " || ".join(f"to_tsvector('{lang}', {_PUBLIC_TEXT})" for lang in LANGUAGES)
_INTERNAL = " || ".join(f"to_tsvector('{lang}', {_INTERNAL_TEXT})" for lang in LANGUAGES)

# One statement per batch: the documents arrive as four parallel arrays.
UPSERT = f"""
INSERT INTO {TABLE} (ticket_id, public_vector, all_vector)
SELECT d.ticket_id, v.public_vector, v.public_vector || {_INTERNAL}
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])
    AS d(ticket_id, subject, public_text, internal_text)
CROSS JOIN LATERAL (SELECT {_SUBJECT} || {_PUBLIC} AS public_vector) AS v
ON CONFLICT (ticket_id) DO UPDATE
SET public_vector = EXCLUDED.public_vector, all_vector = EXCLUDED.all_vector
"""  # noqa: S608  (constants only)

# The same documents as `search.documents.load_documents` builds in Python (each message cut
# at MAX_PART_CHARS, joined by newlines in conversation order, each part cut again), built and
# stored in one statement: every ticket write keeps the index, and reading the text back only
# to send it again cost a round trip and its Python. Rows of tickets that are gone go too.
_PART = (
    f"left(coalesce(string_agg(left(m.body_text, {MAX_PART_CHARS}), E'\\n'"
    f" ORDER BY m.created_at, m.id) FILTER (WHERE {{}}), ''), {MAX_PART_CHARS})"
)
REINDEX = f"""
WITH d AS (
    SELECT t.id AS ticket_id, t.subject,
        {_PART.format("m.public")} AS public_text,
        {_PART.format("NOT m.public")} AS internal_text
    FROM {TICKETS} t LEFT JOIN {MESSAGES} m ON m.ticket_id = t.id
    WHERE t.id = ANY(%s::bigint[])
    GROUP BY t.id, t.subject
), gone AS (
    DELETE FROM {TABLE} WHERE ticket_id = ANY(%s::bigint[])
        AND ticket_id NOT IN (SELECT ticket_id FROM d)
)
INSERT INTO {TABLE} (ticket_id, public_vector, all_vector)
SELECT d.ticket_id, v.public_vector, v.public_vector || {_INTERNAL}
FROM d CROSS JOIN LATERAL (SELECT {_SUBJECT} || {_PUBLIC} AS public_vector) AS v
ON CONFLICT (ticket_id) DO UPDATE
SET public_vector = EXCLUDED.public_vector, all_vector = EXCLUDED.all_vector
"""  # noqa: S608  (constants only)

# Every word must match under one language's stemming.
WORDS = " || ".join(f"websearch_to_tsquery('{lang}', %s)" for lang in LANGUAGES)
# The same, with the last word also matching as a prefix (to_tsquery's ``'word':*``).
WORDS_AND_PREFIX = " || ".join(
    f"(websearch_to_tsquery('{lang}', %s) && to_tsquery('{lang}', %s))" for lang in LANGUAGES
)


def tsquery(terms: SearchTerms) -> tuple[str, list[str]]:
    """SQL of the tsquery for ``terms`` (every word, in English or in Spanish) and its params.

    Words are folded as the documents were ("Vázquez" and "vazquez" are one word)."""
    folded = tuple(fold_accents(word) for word in terms.words)
    words = folded[:-1] if terms.prefix else folded
    phrases = " ".join(f'"{word}"' for word in words)
    if terms.prefix:
        # parse_query only allows a prefix on a word of letters and digits: no quotes.
        prefix = f"'{folded[-1]}':*"
        return f"({WORDS_AND_PREFIX})", [phrases, prefix] * len(LANGUAGES)
    return f"({WORDS})", [phrases] * len(LANGUAGES)


# Whether a query is broad is judged on the newest SAMPLE documents: with BROAD_HITS of them
# matching (1%), walking the caller's order meets a page of matches within a few thousand
# rows. Otherwise the matching ids are read from the GIN index (cheap when they are few)
# through search_ticket_ids (migration 0002), which never falls back to a sequential scan.
SAMPLE = 500
BROAD_HITS = 5
MATCH = f"""
SELECT s.q::text, s.hits, CASE
    WHEN s.hits < %s THEN ARRAY(SELECT search_ticket_ids(s.q, %s, %s))
    ELSE ARRAY[]::bigint[]
END
FROM (
    SELECT s0.q, (
        SELECT count(*) FROM (
            SELECT {{column}} AS v FROM {TABLE} ORDER BY ticket_id DESC LIMIT %s
        ) AS recent
        WHERE recent.v @@ s0.q
    ) AS hits
    FROM (SELECT {{query}} AS q) AS s0
) AS s
"""  # noqa: S608  (constants only)


class PostgresTicketIndex(TicketIndex):
    def write(
        self,
        cursor: CursorWrapper,
        ticket_ids: Sequence[int],
        documents: Sequence[TicketDocument],
    ) -> None:
        found = {doc.ticket_id for doc in documents}
        gone = [pk for pk in ticket_ids if pk not in found]
        if gone:
            cursor.execute(f"DELETE FROM {TABLE} WHERE ticket_id = ANY(%s::bigint[])", [gone])  # noqa: S608
        if documents:
            cursor.execute(
                UPSERT,
                [
                    [doc.ticket_id for doc in documents],
                    [doc.subject for doc in documents],
                    [doc.public_text for doc in documents],
                    [doc.internal_text for doc in documents],
                ],
            )

    def reindex(self, cursor: CursorWrapper, ticket_ids: Sequence[int]) -> bool:
        ids = list(ticket_ids)
        cursor.execute(REINDEX, [ids, ids])
        return True

    def match(
        self, cursor: CursorWrapper, terms: SearchTerms, *, include_internal: bool, limit: int
    ) -> list[int] | TicketCondition:
        query, params = tsquery(terms)
        column = "all_vector" if include_internal else "public_vector"
        cursor.execute(
            MATCH.format(query=query, column=column),
            [BROAD_HITS, include_internal, limit, SAMPLE, *params],
        )
        row = cursor.fetchone()
        assert row is not None
        text, hits, ids = row
        if hits < BROAD_HITS and len(ids) < limit:
            return list(ids)
        # A scalar subquery is never turned into a join: PostgreSQL walks the caller's order
        # and probes each ticket's row by primary key, stopping after a page.
        return TicketCondition(
            f"COALESCE((SELECT {column} @@ %s::tsquery FROM {TABLE}"  # noqa: S608
            " WHERE ticket_id = {ticket}), false)",
            [text],
        )

    def purge_orphans(self, cursor: CursorWrapper, *, ticket_table: str) -> None:
        cursor.execute(
            f"DELETE FROM {TABLE} AS s WHERE NOT EXISTS"  # noqa: S608
            f" (SELECT 1 FROM {ticket_table} AS t WHERE t.id = s.ticket_id)"
        )

    def optimize(self, cursor: CursorWrapper) -> None:
        cursor.execute(f"ANALYZE {TABLE}")
