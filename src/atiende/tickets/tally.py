"""Keep ``TicketTally`` in step with tickets, and rebuild it when rows were written in bulk.

Every ``Ticket.save()`` and ``Ticket.delete()`` moves its ticket from the tally row of the key
it was loaded with to the row of its new key, with an upsert, in the caller's transaction. Bulk
writes that bypass ``save()`` (``QuerySet.update`` of status, group or assignee, ``bulk_create``)
must call ``rebuild()`` afterwards; ``atiende manage rebuild_tallies`` does it by hand.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import connections, router, transaction

from atiende.core import rows

if TYPE_CHECKING:
    from atiende.tickets.models import Ticket

Key = tuple[int, int, int]  # (status_id, group_id or 0, assignee_id or 0)

TABLE = "tickets_tickettally"
TICKETS = "tickets_ticket"


def key_of(ticket: Ticket) -> Key:
    return (ticket.status_id, ticket.group_id or 0, ticket.assignee_id or 0)


# Moves collected by ``deferred()``: per database alias, the change of each key's count.
_deferred: ContextVar[dict[str, Counter[Key]] | None] = ContextVar("tally_deferred", default=None)


def move(old: Key | None, new: Key | None, *, using: str) -> None:
    """One ticket left ``old`` (None: it is new) for ``new`` (None: it is gone)."""
    if old == new:
        return
    changes: Counter[Key] = Counter()
    if old is not None:
        changes[old] -= 1
    if new is not None:
        changes[new] += 1
    pending = _deferred.get()
    if pending is not None:
        pending.setdefault(using, Counter()).update(changes)
    else:
        _write(changes, using)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Write the moves made inside the block when it ends, summed per key.

    A tally row is shared by every ticket with its status, group and assignee (all new
    unassigned tickets count in one row), and an upsert locks it until the transaction ends.
    Written as the last statements before the commit, concurrent creates on PostgreSQL wait
    for each other only during the commit, not during the whole write. Open it inside the
    transaction; if the block raises, nothing is written (the transaction rolls back).
    """
    pending: dict[str, Counter[Key]] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for using, changes in pending.items():
        _write(changes, using)


def _write(changes: Counter[Key], using: str) -> None:
    with rows.cursor(connections[using]) as cursor:
        for key, delta in sorted(changes.items()):  # a fixed order: no deadlock between writers
            if delta == 0:
                continue
            cursor.execute(
                f"INSERT INTO {TABLE} (status_id, group_key, assignee_key, count) "  # noqa: S608  (constants)
                "VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (status_id, group_key, assignee_key) "
                f"DO UPDATE SET count = {TABLE}.count + excluded.count",
                [*key, delta],
            )


def rebuild(*, using: str | None = None) -> int:
    """Recount every key from the tickets themselves; return the number of tally rows."""
    from atiende.tickets.models import Ticket

    alias = using or router.db_for_write(Ticket)
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait while we recount, so no change slips between the count and the swap.
            cursor.execute(f"LOCK TABLE {TICKETS} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608  (constants)
        cursor.execute(
            f"INSERT INTO {TABLE} (status_id, group_key, assignee_key, count) "  # noqa: S608  (constants)
            "SELECT status_id, COALESCE(group_id, 0), COALESCE(assignee_id, 0), COUNT(*) "
            f"FROM {TICKETS} GROUP BY status_id, COALESCE(group_id, 0), COALESCE(assignee_id, 0)"
        )
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608  (constants)
        row = cursor.fetchone()
    return int(row[0]) if row else 0
