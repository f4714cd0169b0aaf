"""The search index's hot statements: every ticket write rebuilds its document.

They run on prepared cursors (``core.rows.cursor``: parsed and planned once per connection on
PostgreSQL, decision 0003). Only the search app imports this module (an import-linter contract).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections

from atiende.core import rows
from atiende.search.backends.base import TicketIndex
from atiende.search.documents import TicketDocument


def reindex(index: TicketIndex, ticket_ids: Sequence[int], *, using: str) -> bool:
    """Rebuild the documents inside the database when the backend can (see ``reindex``)."""
    with rows.cursor(connections[using]) as cursor:
        return index.reindex(cursor, ticket_ids)


def write(
    index: TicketIndex,
    ticket_ids: Sequence[int],
    documents: Sequence[TicketDocument],
    *,
    using: str,
) -> None:
    """Make the index rows of ``ticket_ids`` exactly ``documents``."""
    with rows.cursor(connections[using]) as cursor:
        index.write(cursor, ticket_ids, documents)
