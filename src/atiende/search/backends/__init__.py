"""Search backends, one per database vendor, behind the ``TicketIndex`` contract."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from atiende.search.backends.base import TicketIndex
from atiende.search.backends.postgresql import PostgresTicketIndex
from atiende.search.backends.sqlite import SqliteTicketIndex

_INDEXES: dict[str, TicketIndex] = {
    "sqlite": SqliteTicketIndex(),
    "postgresql": PostgresTicketIndex(),
}


def ticket_index(vendor: str) -> TicketIndex:
    """The ticket index for a database vendor (``connection.vendor``)."""
    try:
        return _INDEXES[vendor]
    except KeyError:
        raise ImproperlyConfigured(f"Search does not support the {vendor!r} database.") from None
