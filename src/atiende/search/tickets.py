"""Full-text search over tickets: keep each ticket's document current, filter by a query.

The index holds one document per ticket: subject, public messages and internal notes, the
notes apart so that customers never match on them. Matches are not ranked: callers order the
narrowed queryset (by recency), which stays fast when a word matches a third of all tickets.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from django.db import connections, router, transaction
from django.db.models import QuerySet

from atiende.search import store
from atiende.search.backends import ticket_index
from atiende.search.documents import INDEXER, load_documents
from atiende.search.terms import parse_query
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets

BATCH_SIZE = 500
# Below this many matches, filter by their ids; above, by a per-row condition (see match()).
FEW_MATCHES = 2_000


def index_ticket(ticket_id: int) -> None:
    """Bring one ticket's document up to date; drop it if the ticket is gone."""
    index_tickets([ticket_id])


def index_tickets(ticket_ids: Iterable[int], *, batch_size: int = BATCH_SIZE) -> None:
    """Bring many tickets' documents up to date: a few statements per batch, not per ticket."""
    alias = router.db_for_write(Ticket)
    index = ticket_index(connections[alias].vendor)
    for batch in itertools.batched(ticket_ids, batch_size):
        ids = list(dict.fromkeys(batch))
        # Read and write in one transaction: on SQLite (IMMEDIATE) no other writer can slip a
        # newer message in between, so a slower indexer never overwrites a fresher document.
        # Called by a service (inside its transaction), this joins that transaction.
        with transaction.atomic(using=alias, savepoint=False):
            if store.reindex(index, ids, using=alias):
                continue
            store.write(index, ids, load_documents(ids, using=alias), using=alias)


def rebuild_index(
    *, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> int:
    """Reindex every ticket in id order, drop rows of deleted tickets; return the count."""
    alias = router.db_for_write(Ticket)
    tickets = visible_tickets(INDEXER).using(alias).order_by("pk")
    done, last = 0, 0
    while ids := list(tickets.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size]):
        index_tickets(ids, batch_size=batch_size)
        done, last = done + len(ids), ids[-1]
        if progress is not None:
            progress(done)
    connection = connections[alias]
    index = ticket_index(connection.vendor)
    with connection.cursor() as cursor:
        index.purge_orphans(cursor, ticket_table=connection.ops.quote_name(Ticket._meta.db_table))
        index.optimize(cursor)
    return done


def filter_tickets(
    queryset: QuerySet[Ticket], query: str, *, include_internal: bool
) -> QuerySet[Ticket]:
    """Narrow ``queryset`` to tickets whose document holds every word of ``query``.

    Any string is safe: syntax characters are plain text, NUL bytes and lone surrogates are
    dropped, only the first words count. A query with no letters or digits (empty, only
    punctuation) is no filter at all: ``queryset`` comes back unchanged. Internal notes match
    only with ``include_internal`` (agents); never pass it for customers.

    One bounded query runs now, to learn whether the matches are few (then the queryset is
    narrowed to their ids) or many (then to a condition checked row by row in the caller's
    order), so that the newest page is fast either way. Counting all of a broad match still
    probes every row on PostgreSQL: page with a LIMIT rather than count it.
    """
    terms = parse_query(query)
    if not terms:
        return queryset
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        found = ticket_index(connection.vendor).match(
            cursor, terms, include_internal=include_internal, limit=FEW_MATCHES
        )
    return queryset.filter(pk__in=found) if isinstance(found, list) else queryset.filter(found)
