"""Helpers for search tests: tickets indexed the way the app indexes them, after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pytest
from django.db import connection

from atiende.accounts.models import User
from atiende.search import tickets as search_tickets
from atiende.search.backends.base import TABLE
from atiende.search.tickets import filter_tickets
from atiende.tickets import services
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets
from tests.factories import SYSTEM, make_ticket


class MakeIndexed(Protocol):
    def __call__(
        self, subject: str, body: str = ..., *, note: str | None = ..., requester: User | None = ...
    ) -> Ticket: ...


@pytest.fixture(params=["few", "many"])
def match_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every search test through both plans: matches by id, and the per-row condition."""
    if request.param == "many":
        monkeypatch.setattr(search_tickets, "FEW_MATCHES", 1)
    return str(request.param)


@pytest.fixture
def indexed(on_commit: Callable[..., Any]) -> MakeIndexed:
    """Open a ticket (and add an internal note) through the services, running subscribers."""

    def make(
        subject: str,
        body: str = "Something is not working.",
        *,
        note: str | None = None,
        requester: User | None = None,
    ) -> Ticket:
        with on_commit():
            ticket = make_ticket(requester, subject=subject, body=body)
            if note is not None:
                services.add_message(SYSTEM, ticket_id=ticket.pk, body=note, public=False)
        return ticket

    return make


def found(query: str, *, include_internal: bool = True) -> set[int]:
    """Ids of all tickets matching ``query``."""
    tickets = filter_tickets(visible_tickets(SYSTEM), query, include_internal=include_internal)
    return set(tickets.values_list("pk", flat=True))


def indexed_ids() -> set[int]:
    """Ids that have a row in the index, read straight from the table."""
    column = "rowid" if connection.vendor == "sqlite" else "ticket_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {TABLE}")  # noqa: S608  (constants)
        return {row[0] for row in cursor.fetchall()}


def empty_index() -> None:
    """Drop every row of the index, as if the tickets had been loaded without it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608  (constants)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the Spanish stemmer of PostgreSQL"
)
