"""System reads for assignment: what a ticket needs to be routed, and who carries what.

No scoping (the system decides), each read indexed: loads come from the ``TicketTally`` rollup
(a few rows per agent, never their tickets), the backlog from the ``ticket_counts`` index.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F

from atiende.accounts.models import User
from atiende.tickets import config_cache
from atiende.tickets.models import ACTIVE_CATEGORIES, Tag, Ticket, TicketTally


@dataclass(frozen=True)
class RoutingFacts:
    """What a strategy may look at: where the ticket is, who wrote, in what, about what."""

    ticket_id: int
    group_id: int | None
    assignee_id: int | None
    requester_id: int
    language: str
    category_id: int | None
    tags: frozenset[str]
    active: bool


def active_status_ids() -> list[int]:
    """The statuses whose tickets still need work (from the cached configuration)."""
    return [s.pk for s in config_cache.statuses() if s.category in ACTIVE_CATEGORIES]


@functools.cache
def _statements() -> tuple[str, str]:
    """The routing facts' two statements, built once from the tables' names."""
    tickets = Ticket._meta.db_table
    through = Ticket.tags.through._meta.db_table
    tags = Tag._meta.db_table
    facts = (
        "SELECT group_id, assignee_id, requester_id, language, category_id, status_id "  # noqa: S608  (table names)
        f"FROM {tickets} WHERE id = %s AND merged_into_id IS NULL"
    )
    names = (
        f"SELECT t.name FROM {through} x JOIN {tags} t ON t.id = x.tag_id "  # noqa: S608  (table names)
        "WHERE x.ticket_id = %s"
    )
    return facts, names


def _db() -> BaseDatabaseWrapper:
    return connections[router.db_for_read(Ticket)]


def routing_facts(ticket_id: int) -> RoutingFacts | None:
    """The ticket's routing columns and tag names (two indexed reads), or None if gone.

    Plain statements built once, like every hot read of an assignment decision (the ORM's
    Python would cost more than the reads: see ``accounts.selectors.available_members``).
    """
    facts, names = _statements()
    with _db().cursor() as cursor:
        cursor.execute(facts, [ticket_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(names, [ticket_id])
        tags = frozenset(name for (name,) in cursor.fetchall())
    group_id, assignee_id, requester_id, language, category_id, status_id = row
    return RoutingFacts(
        ticket_id=ticket_id,
        group_id=group_id,
        assignee_id=assignee_id,
        requester_id=requester_id,
        language=language,
        category_id=category_id,
        tags=tags,
        active=status_id in active_status_ids(),
    )


@functools.cache
def _loads_sql(statuses: int) -> str:
    """Sum each member's tally rows over the active statuses; built once per status count."""
    tally = TicketTally._meta.db_table
    members = User.groups.through._meta.db_table
    return (
        f"SELECT assignee_key, SUM(count) FROM {tally} "  # noqa: S608  (table names, placeholders)
        f"WHERE status_id IN ({', '.join(['%s'] * statuses)}) "
        f"AND assignee_key IN (SELECT user_id FROM {members} WHERE group_id = %s) "
        "GROUP BY assignee_key"
    )


def group_loads(group_id: int) -> dict[int, int]:
    """How many active tickets each member of the group holds, in every group (one short
    statement over the tally, the same text every time); members with none are absent."""
    statuses = active_status_ids()
    if not statuses:
        return {}
    with _db().cursor() as cursor:
        cursor.execute(_loads_sql(len(statuses)), [*statuses, group_id])
        return {int(user): int(n or 0) for user, n in cursor.fetchall()}


def agent_load(user_id: int) -> int:
    """How many active tickets one agent holds, in every group, read afresh from the tally."""
    statuses = active_status_ids()
    if not statuses:
        return 0
    sql = (
        f"SELECT SUM(count) FROM {TicketTally._meta.db_table} "  # noqa: S608  (table name, placeholders)
        f"WHERE status_id IN ({', '.join(['%s'] * len(statuses))}) AND assignee_key = %s"
    )
    with _db().cursor() as cursor:
        cursor.execute(sql, [*statuses, user_id])
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def unassigned_backlog(group_id: int, *, limit: int) -> list[int]:
    """The group's unassigned active tickets, most urgent first: highest priority, then the
    earliest due (resolution, then first reply; none last), then the oldest."""
    tickets = (
        Ticket.objects.filter(
            group_id=group_id,
            assignee__isnull=True,
            status_id__in=active_status_ids(),
            merged_into__isnull=True,
        )
        .order_by(
            F("priority__order").desc(),
            F("resolution_due_at").asc(nulls_last=True),
            F("first_response_due_at").asc(nulls_last=True),
            "created_at",
            "pk",
        )
        .values_list("pk", flat=True)
    )
    return list(tickets[:limit])


def has_unassigned(group_id: int) -> bool:
    """Whether the group has unassigned active tickets, read from the tally."""
    return TicketTally.objects.filter(
        group_key=group_id, assignee_key=0, status_id__in=active_status_ids(), count__gt=0
    ).exists()


def last_helper(requester_id: int, *, exclude_ticket_id: int) -> int | None:
    """The agent assigned to the customer's most recent other ticket (affinity), read along
    the ``ticket_requester_created`` index."""
    sql = (
        f"SELECT assignee_id FROM {Ticket._meta.db_table} "  # noqa: S608  (table name)
        "WHERE requester_id = %s AND assignee_id IS NOT NULL AND id <> %s "
        "ORDER BY created_at DESC, id DESC LIMIT 1"
    )
    with _db().cursor() as cursor:
        cursor.execute(sql, [requester_id, exclude_ticket_id])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def assigned_active(user_id: int, *, limit: int = 500) -> list[tuple[int, int | None]]:
    """(ticket id, group id) of the agent's active tickets, oldest first (hand-over)."""
    tickets = (
        Ticket.objects.filter(assignee_id=user_id, status_id__in=active_status_ids())
        .order_by("created_at", "pk")
        .values_list("pk", "group_id")
    )
    return list(tickets[:limit])
