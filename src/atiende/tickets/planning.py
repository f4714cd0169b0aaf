"""Hints for SQLite's query planner, taken from the inbox rollup (``TicketTally``).

SQLite plans from per-index statistics and cannot tell that "status is one of the six open
statuses" or "my groups, or no group, or mine" matches half of all tickets. It answers such a
filter from the indexes, collects every match and sorts them to return the newest 25: 60-140
ms at 100k tickets. Reading the created-at index newest first and filtering as it goes stops
after a few dozen rows: 0.2 ms. The rollup knows how many tickets each (status, group,
assignee) holds, so a filter that matches a large share is written as ``Unindexed`` columns,
which leaves the planner only the sort order's index. PostgreSQL plans these well from its
own statistics: there the hints change nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, Func, Q, Sum
from django.db.models.sql.compiler import SQLCompiler

from atiende.tickets.models import Ticket, TicketTally
from atiende.tickets.visibility import Scope

# A filter matching at least this share of all tickets is read in sort order, not by index:
# 26 matches are then found within about 500 rows.
BROAD_SHARE = 0.05
TOTAL_TTL = 60.0
MAX_REMEMBERED = 1000

_total: tuple[float, int] | None = None
_broad: dict[str, tuple[float, bool]] = {}


class Unindexed(Func):
    """A column the SQLite planner must not use an index for: ``+column``, the same value."""

    template = "%(expressions)s"
    output_field = BigIntegerField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra_context)


def needs_hints() -> bool:
    return connections[router.db_for_read(Ticket)].vendor == "sqlite"


def _total_tickets() -> int:
    """All tickets, from the rollup; a minute old at most (a share needs no more)."""
    global _total
    now = time.monotonic()
    if _total is None or now - _total[0] > TOTAL_TTL:
        _total = (now, int(TicketTally.objects.aggregate(n=Sum("count"))["n"] or 0))
    return _total[1]


def is_broad(tallies: Q) -> bool:
    """Whether the tickets counted by the ``TicketTally`` rows ``tallies`` are a large share.

    Remembered per filter for ``TOTAL_TTL`` seconds: shares drift slowly, and a plan chosen
    from a minute-old share is as good.
    """
    key, now = repr(tallies), time.monotonic()
    known = _broad.get(key)
    if known is not None and now - known[0] <= TOTAL_TTL:
        return known[1]
    total = _total_tickets()
    matched = TicketTally.objects.filter(tallies).aggregate(n=Sum("count"))["n"] or 0
    broad = total > 0 and matched >= total * BROAD_SHARE
    if len(_broad) > MAX_REMEMBERED:
        _broad.clear()
    _broad[key] = (now, broad)
    return broad


def read_in_order(scope: Scope) -> bool:
    """Whether a list in ``scope`` is best read in sort order (SQLite, a broad scope).

    Only scopes the rollup can count (staff's) and that narrow at all qualify.
    """
    if scope.everything or scope.nothing or not needs_hints():
        return False
    counted = scope.tally_q()
    return counted is not None and is_broad(counted)


def clear() -> None:
    """Forget the remembered total and shares (tests start from an empty database)."""
    global _total
    _total = None
    _broad.clear()
