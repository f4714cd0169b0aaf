"""Keep ``TicketTally`` in step with tickets: explicit moves by the services, and recounts.

Every service that inserts, changes or deletes a ticket moves it explicitly: it reads the
ticket's key (status, group, assignee) when it loads it, and after the write calls
``follow(ticket, was)`` (or ``move`` for a delete). Nothing in the model does it behind the
caller's back. Inside ``deferred()`` the moves are summed and written as the transaction's last
statements. ``rebuild()`` recounts everything (``atiende tally rebuild``); ``reconcile()``,
run nightly by ``tickets.tasks``, corrects only the rows that drifted and says which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce

from atiende.core import deferred as deferred_counts
from atiende.tickets import store
from atiende.tickets.models import Ticket, TicketTally

Key = store.Key  # (status_id, group_id or 0, assignee_id or 0)


def key_of(ticket: Ticket) -> Key:
    return (ticket.status_id, ticket.group_id or 0, ticket.assignee_id or 0)


def _write(changes: Counter[tuple[str, Key]]) -> None:
    """Write summed moves, per database alias (``store.add_to_tallies`` sorts the keys)."""
    by_alias: dict[str, Counter[Key]] = {}
    for (using, key), delta in changes.items():
        by_alias.setdefault(using, Counter())[key] += delta
    for using in sorted(by_alias):
        store.add_to_tallies(by_alias[using], using)


def move(old: Key | None, new: Key | None, *, using: str) -> None:
    """One ticket left ``old`` (None: it is new) for ``new`` (None: it is gone)."""
    if old == new:
        return
    changes: Counter[tuple[str, Key]] = Counter()
    if old is not None:
        changes[(using, old)] -= 1
    if new is not None:
        changes[(using, new)] += 1
    deferred_counts.add("tickets.tally", _write, changes)


def follow(ticket: Ticket, was: Key | None) -> None:
    """``ticket`` was just written; it was counted under ``was`` (None: it is new)."""
    move(was, key_of(ticket), using=ticket._state.db or store.alias())


# The moves made inside the block are written when it ends (``core.deferred``): a tally row is
# shared by every ticket with its status, group and assignee (all new unassigned tickets count
# in one row), so concurrent writers on PostgreSQL wait for each other only while committing.
deferred = deferred_counts.deferred


def recount(*, using: str | None = None) -> Counter[Key]:
    """The true count of every key, from the tickets themselves (one ``GROUP BY``)."""
    tickets = Ticket.objects.using(using or router.db_for_read(Ticket))
    grouped = (
        tickets.annotate(group_key=Coalesce("group_id", 0), assignee_key=Coalesce("assignee_id", 0))
        .values_list("status_id", "group_key", "assignee_key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({(s, g, a): n for s, g, a, n in grouped})


def kept(*, using: str | None = None) -> Counter[Key]:
    """What the rollup says, rows of zero left out."""
    tallies = TicketTally.objects.using(using or router.db_for_read(TicketTally))
    found = tallies.filter(count__gt=0).values_list(
        "status_id", "group_key", "assignee_key", "count"
    )
    return Counter({(s, g, a): n for s, g, a, n in found})


def rebuild(*, using: str | None = None) -> int:
    """Recount every key from the tickets themselves; return the number of tally rows."""
    alias = using or router.db_for_write(Ticket)
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        _hold_writers(alias)
        table, tickets = store.TALLY_TABLE, store.TICKET_TABLE
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (constants)
        cursor.execute(
            f"INSERT INTO {table} (status_id, group_key, assignee_key, count) "  # noqa: S608  (constants)
            "SELECT status_id, COALESCE(group_id, 0), COALESCE(assignee_id, 0), COUNT(*) "
            f"FROM {tickets} GROUP BY status_id, COALESCE(group_id, 0), COALESCE(assignee_id, 0)"
        )
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (constants)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Drift:
    """A tally row that disagreed with the tickets: what it said, and the true count."""

    key: Key
    kept: int
    true: int


def reconcile(*, using: str | None = None) -> list[Drift]:
    """Recount, compare with the rollup, correct only the rows that differ; return them."""
    alias = using or router.db_for_write(Ticket)
    with transaction.atomic(using=alias):
        _hold_writers(alias)
        true, said = recount(using=alias), kept(using=alias)
        drifts = [
            Drift(key, said[key], true[key])
            for key in sorted(set(true) | set(said))
            if said[key] != true[key]
        ]
        tallies = TicketTally.objects.using(alias)
        for drift in drifts:
            status_id, group_key, assignee_key = drift.key
            tallies.update_or_create(
                status_id=status_id,
                group_key=group_key,
                assignee_key=assignee_key,
                defaults={"count": drift.true},
            )
    return drifts


def _hold_writers(alias: str) -> None:
    """On PostgreSQL make ticket writers wait while we count, so no change slips between the
    count and the correction (SQLite's write transaction already excludes them)."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {store.TICKET_TABLE} IN SHARE MODE")
