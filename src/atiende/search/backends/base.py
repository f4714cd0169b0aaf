"""The contract every search backend keeps, so ``search.tickets`` never branches on vendor."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from django.db.backends.utils import CursorWrapper

from atiende.search.documents import TicketDocument
from atiende.search.expressions import TicketCondition
from atiende.search.terms import SearchTerms

# One name on every database; what it holds differs (an FTS5 table, a table of tsvectors).
TABLE = "search_ticket_index"


class TicketIndex(ABC):
    """Stores ticket documents and answers which ticket ids match a query."""

    @abstractmethod
    def write(
        self,
        cursor: CursorWrapper,
        ticket_ids: Sequence[int],
        documents: Sequence[TicketDocument],
    ) -> None:
        """Make the rows of ``ticket_ids`` exactly ``documents`` (deleting those without one)."""

    def reindex(self, cursor: CursorWrapper, ticket_ids: Sequence[int]) -> bool:
        """Rebuild the rows of ``ticket_ids`` from the ticket tables inside the database, in
        one statement, when the backend can (True); False: the caller loads the documents
        (``search.documents``) and calls ``write``."""
        return False

    @abstractmethod
    def match(
        self, cursor: CursorWrapper, terms: SearchTerms, *, include_internal: bool, limit: int
    ) -> list[int] | TicketCondition:
        """The ids of all matching tickets if fewer than ``limit``; else a condition.

        Few matches are best fetched by id and sorted; for many, the best plan walks the
        caller's order and keeps the rows that match, stopping at the page size. Planner
        estimates for text queries are too rough to make that choice, so we count instead.
        """

    @abstractmethod
    def purge_orphans(self, cursor: CursorWrapper, *, ticket_table: str) -> None:
        """Delete rows whose ticket no longer exists."""

    @abstractmethod
    def optimize(self, cursor: CursorWrapper) -> None:
        """Tidy the index after a bulk rebuild so queries stay fast."""


def placeholders(count: int, row: str = "%s") -> str:
    """``count`` copies of ``row`` joined by commas, for multi-row statements."""
    return ", ".join([row] * count)
