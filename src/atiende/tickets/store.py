"""The tickets app's statements: how ``tickets.services`` write tickets, messages and events.

Each ticket write is done one way, here: insert, write some fields, lock, delete. The hot ones
use ``core.rows`` (statements built once, decision 0003); the rest are plain ORM calls kept
here so that there is one place to read them. Nothing here decides a ``TicketTally`` move:
the services do that explicitly (``tally.follow``), knowing the key they loaded and the new one.
Only the tickets app imports this module (an import-linter contract holds it so).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.db import connection, connections, router
from django.db.models import F

from atiende.core import rows
from atiende.tickets.models import Draft, Message, Ticket, TicketEvent

Key = tuple[int, int, int]  # (status_id, group_id or 0, assignee_id or 0): see ``tally``

SEQUENCE = "tickets_ticket_number_seq"  # PostgreSQL's ticket numbers (SQLite: a counter row)
TALLY_TABLE = "tickets_tickettally"
TICKET_TABLE = "tickets_ticket"

# Every column a loaded ticket may have changed: what ``Model.save()`` would write.
ALL_FIELDS: tuple[str, ...] = tuple(
    f.name for f in Ticket._meta.concrete_fields if not f.primary_key
)


def alias() -> str:
    """The database tickets are written to."""
    return router.db_for_write(Ticket)


# --- tickets ------------------------------------------------------------------------------


def insert_ticket(ticket: Ticket) -> None:
    """INSERT a new ticket (the hottest write there is: its statement is built once)."""
    rows.insert(ticket)


def write_ticket(ticket: Ticket, fields: Sequence[str] = ALL_FIELDS) -> None:
    """UPDATE ``fields`` of a loaded ticket (all of them by default), as ``save()`` would."""
    rows.update(ticket, fields)


def lock_ticket(ticket_id: int) -> Ticket | None:
    """The ticket by id, locked ``FOR UPDATE`` until commit: the system's lock, no scoping."""
    return rows.first(Ticket, pk=ticket_id, for_update=True)


def ticket_by_id(ticket_id: int, *, with_status: bool = False) -> Ticket | None:
    """One ticket by id for system readers (threading, the live log); no scoping, no lock."""
    if with_status:
        return rows.first(Ticket, related=("status",), pk=ticket_id)
    return rows.first(Ticket, pk=ticket_id)


def write_due_times(ticket_id: int, values: dict[str, datetime | bool | None]) -> int:
    """UPDATE the SLA due columns of one ticket (no version bump: derived data); rows hit.
    Inside every change of a ticket an SLA policy covers: a statement built once."""
    return rows.update_values(Ticket, ticket_id, values)


def delete_ticket(ticket: Ticket) -> None:
    """DELETE the ticket and what cascades from it (messages, attachments, history, links)."""
    Ticket.objects.filter(pk=ticket.pk).delete()


def lock_tickets_of_requester(user_id: int) -> list[tuple[int, int | None]]:
    """(id, organization id) of every ticket ``user_id`` requested, locked, in id order."""
    tickets = Ticket.objects.filter(requester_id=user_id).select_for_update().order_by("pk")
    return list(tickets.values_list("pk", "organization_id"))


def set_requester(
    ticket_ids: Sequence[int], *, requester_id: int, organization_id: int | None, now: datetime
) -> None:
    """One UPDATE for a batch of tickets: new requester and organization, version bumped."""
    Ticket.objects.filter(pk__in=ticket_ids).update(
        requester_id=requester_id,
        organization_id=organization_id,
        version=F("version") + 1,
        updated_at=now,
    )


def bump_versions(ticket_ids: Iterable[int]) -> None:
    """Tell optimistic writers that these tickets changed (e.g. a tag they carried is gone)."""
    Ticket.objects.filter(pk__in=list(ticket_ids)).update(version=F("version") + 1)


def add_time_spent(ticket_id: int, seconds: int) -> None:
    """Add to a ticket's time spent in the database, so concurrent loggers do not collide."""
    Ticket.objects.filter(pk=ticket_id).update(time_spent_seconds=F("time_spent_seconds") + seconds)


def next_ticket_number() -> int:
    """The next human ticket number (#1042): unique and increasing under concurrent creates.

    PostgreSQL hands them out from a sequence, which never blocks concurrent transactions.
    SQLite serialises writers already (IMMEDIATE transactions), so a counter row bumped with
    ``UPDATE … RETURNING`` inside the creating transaction is enough and leaves no gaps.
    """
    with rows.cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
        else:
            cursor.execute(
                "UPDATE tickets_ticketnumber SET last = last + 1 WHERE id = 1 RETURNING last"
            )
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError("ticket number counter is missing; run the migrations")
    return int(row[0])


# --- messages and history -----------------------------------------------------------------


def insert_message(message: Message) -> None:
    rows.insert(message)


def only_message(ticket_id: int) -> Message | None:
    """The message of a ticket that has one (opened a moment ago): a prepared statement."""
    return rows.first(Message, ticket_id=ticket_id)


def insert_events(events: Sequence[TicketEvent]) -> None:
    """The audit trail's rows, in one statement."""
    rows.insert_many(events)


class SystemEvent(NamedTuple):
    """One audit row written by the system (no actor, no old value): an SLA step."""

    ticket_id: int
    source: str
    source_detail: str
    action: str
    field: str
    new_value: Any


def insert_system_events(events: Sequence[SystemEvent], *, now: datetime) -> None:
    """A large batch of the system's audit rows — the SLA sweep's — without model instances.

    On PostgreSQL one ``INSERT … SELECT FROM jsonb_array_elements(%s)``: the batch as one
    JSON parameter, where a VALUES list of a thousand rows spends more time splitting its
    placeholders than the server spends inserting (and array parameters are quoted element by
    element in Python). Elsewhere ``insert_events``.
    """
    if not events:
        return
    connection = connections[alias()]
    if connection.vendor != "postgresql":
        insert_events(
            [
                TicketEvent(
                    ticket_id=e.ticket_id,
                    source=e.source,
                    source_detail=e.source_detail,
                    action=e.action,
                    field=e.field,
                    new_value=e.new_value,
                    created_at=now,
                )
                for e in events
            ]
        )
        return
    table = TicketEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (ticket_id, actor_id, source, source_detail, action, field, "  # noqa: S608  (our own table name)
        "old_value, new_value, created_at) "
        "SELECT (r->>0)::bigint, NULL, r->>1, r->>2, r->>3, r->>4, NULL, r->5, %s "
        "FROM jsonb_array_elements(%s::jsonb) AS r"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, json.dumps([list(event) for event in events])])


# --- the tally rollup ---------------------------------------------------------------------


def add_to_tallies(changes: Counter[Key], using: str) -> None:
    """Add each key's change to its ``TicketTally`` row (an upsert), in a fixed key order so
    concurrent writers take the rows' locks in the same order and never deadlock."""
    with rows.cursor(connections[using]) as cursor:
        for key, delta in sorted(changes.items()):
            if delta == 0:
                continue
            cursor.execute(
                f"INSERT INTO {TALLY_TABLE} (status_id, group_key, assignee_key, count) "  # noqa: S608  (constants)
                "VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (status_id, group_key, assignee_key) "
                f"DO UPDATE SET count = {TALLY_TABLE}.count + excluded.count",
                [*key, delta],
            )


# --- drafts -------------------------------------------------------------------------------

SAVE_DRAFT = (
    "INSERT INTO tickets_draft (user_id, ticket_id, body, public, updated_at)"
    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, ticket_id) DO UPDATE"
    " SET body = excluded.body, public = excluded.public, updated_at = excluded.updated_at"
)


def save_draft(*, user_id: int, ticket_id: int, body: str, public: bool, now: datetime) -> None:
    """INSERT or replace the agent's draft on the ticket in one statement: saves arrive every
    few seconds while an agent types, and two tabs must not collide on the unique pair."""
    db = connections[router.db_for_write(Draft)]
    at = Draft._meta.get_field("updated_at").get_db_prep_value(now, db)
    with rows.cursor(db) as cursor:
        cursor.execute(SAVE_DRAFT, [user_id, ticket_id, body, public, at])


def delete_draft(*, user_id: int, ticket_id: int) -> None:
    Draft.objects.filter(user_id=user_id, ticket_id=ticket_id).delete()


# --- rules (automation) ---------------------------------------------------------------------

_TAG_NAMES = (
    "SELECT t.name FROM tickets_tag t JOIN tickets_ticket_tags tt ON tt.tag_id = t.id"
    " WHERE tt.ticket_id = %s ORDER BY t.name"
)


_FIRST_MESSAGE_TEXT = (
    "SELECT body_text FROM tickets_message WHERE ticket_id = %s ORDER BY created_at, id LIMIT 1"
)


def first_message_text(ticket_id: int) -> str:
    """The text of a ticket's first message (what the customer wrote when opening it), for
    rules that look at a new ticket's description: one prepared statement, no ticket load."""
    with rows.cursor(connection) as cursor:
        cursor.execute(_FIRST_MESSAGE_TEXT, [ticket_id])
        row = cursor.fetchone()
    return str(row[0] or "") if row else ""


def tag_names(ticket_id: int) -> list[str]:
    """The names of a ticket's tags, sorted: a statement of its own, read on every ticket
    event by rules that look at tags."""
    with rows.cursor(connection) as cursor:
        cursor.execute(_TAG_NAMES, [ticket_id])
        return [str(row[0]) for row in cursor.fetchall()]


def tickets_of_messages(message_ids: Sequence[int], *, not_in: Sequence[str]) -> dict[int, int]:
    """Message id → ticket id for those of ``message_ids`` whose ticket is not merged away and
    whose status category is none of ``not_in``: one statement, no ORM query to build."""
    if not message_ids:
        return {}
    marks = ", ".join(["%s"] * len(message_ids))
    categories = ", ".join(["%s"] * len(not_in)) or "''"
    sql = (
        "SELECT m.id, m.ticket_id FROM tickets_message m"  # noqa: S608  (placeholders only)
        " JOIN tickets_ticket t ON t.id = m.ticket_id"
        " JOIN tickets_status s ON s.id = t.status_id"
        f" WHERE m.id IN ({marks}) AND t.merged_into_id IS NULL"
        f" AND s.category NOT IN ({categories})"
    )
    with rows.cursor(connection) as cursor:
        cursor.execute(sql, [*message_ids, *not_in])
        return {int(message): int(ticket) for message, ticket in cursor.fetchall()}


# --- assignment (automation.assignment through tickets.workload) ----------------------------

_ROUTING = (
    "SELECT group_id, assignee_id, requester_id, language, category_id, status_id, channel,"
    " {tags}"
    " FROM tickets_ticket WHERE id = %s AND merged_into_id IS NULL"
)
_ROUTING_TAGS = {  # the tag names as one value: an array, or a JSON list on SQLite
    "postgresql": "ARRAY(SELECT t.name FROM tickets_tag t JOIN tickets_ticket_tags tt"
    " ON tt.tag_id = t.id WHERE tt.ticket_id = tickets_ticket.id)",
    "sqlite": "(SELECT json_group_array(t.name) FROM tickets_tag t JOIN tickets_ticket_tags tt"
    " ON tt.tag_id = t.id WHERE tt.ticket_id = tickets_ticket.id)",
}


def routing_row(ticket_id: int) -> tuple[Any, ...] | None:
    """A ticket's routing columns (group, assignee, requester, language, category, status,
    channel) and its tag names, in one statement; None when it is gone or merged away."""
    sql = _ROUTING.format(tags=_ROUTING_TAGS[connection.vendor])
    with rows.cursor(connection) as cursor:
        cursor.execute(sql, [ticket_id])
        row = cursor.fetchone()
    if row is None:
        return None
    *columns, tags = row
    names = json.loads(tags) if isinstance(tags, str) else tags
    return (*columns, frozenset(str(name) for name in names or ()))


def _loads_sql(statuses: int, *, of_group: bool) -> str:
    """Active tickets per assignee from the tally: a group's members, or one agent."""
    who = (
        "assignee_key IN (SELECT user_id FROM accounts_user_groups WHERE group_id = %s)"
        if of_group
        else "assignee_key = %s"
    )
    return (
        "SELECT assignee_key, SUM(count) FROM tickets_tickettally"  # noqa: S608  (placeholders)
        f" WHERE status_id IN ({', '.join(['%s'] * statuses)}) AND {who} GROUP BY assignee_key"
    )


def active_loads(
    status_ids: Sequence[int], *, group_id: int | None = None, user_id: int | None = None
) -> dict[int, int]:
    """How many tickets in ``status_ids`` each member of ``group_id`` (or the one agent
    ``user_id``) holds, in every group; those with none are absent. The same text every time
    for a given number of statuses, so PostgreSQL plans it once."""
    if not status_ids:
        return {}
    key = group_id if group_id is not None else user_id
    with rows.cursor(connection) as cursor:
        cursor.execute(
            _loads_sql(len(status_ids), of_group=group_id is not None), [*status_ids, key]
        )
        return {int(user): int(n or 0) for user, n in cursor.fetchall()}


def _chat_loads_sql(statuses: int, *, of_group: bool) -> str:
    """Open chats per assignee, read from the ``ticket_chat_load`` partial index: the channel
    is written in the statement (not a parameter) so that the index is seen to apply, and a
    group's members are the outer loop (SQLite keeps a CROSS JOIN's order), never the chats."""
    if of_group:
        source = (
            "accounts_user_groups m CROSS JOIN tickets_ticket t"
            " WHERE m.group_id = %s AND t.assignee_id = m.user_id"
        )
    else:
        source = "tickets_ticket t WHERE t.assignee_id = %s"
    return (
        f"SELECT t.assignee_id, COUNT(*) FROM {source} AND t.channel = 'chat'"  # noqa: S608
        f" AND t.status_id IN ({', '.join(['%s'] * statuses)}) GROUP BY t.assignee_id"
    )


def active_chat_loads(
    status_ids: Sequence[int], *, group_id: int | None = None, user_id: int | None = None
) -> dict[int, int]:
    """How many chat tickets in ``status_ids`` each member of ``group_id`` (or the one agent
    ``user_id``) holds, in every group; those with none are absent."""
    if not status_ids:
        return {}
    key = group_id if group_id is not None else user_id
    with rows.cursor(connection) as cursor:
        cursor.execute(
            _chat_loads_sql(len(status_ids), of_group=group_id is not None), [key, *status_ids]
        )
        return {int(user): int(n or 0) for user, n in cursor.fetchall()}


_LAST_ASSIGNEE = (
    "SELECT assignee_id FROM tickets_ticket"
    " WHERE requester_id = %s AND assignee_id IS NOT NULL AND id <> %s"
    " ORDER BY created_at DESC, id DESC LIMIT 1"
)


def last_assignee_of_requester(requester_id: int, *, exclude_ticket_id: int) -> int | None:
    """The assignee of the customer's most recent other assigned ticket (the
    ``ticket_requester_created`` index)."""
    with rows.cursor(connection) as cursor:
        cursor.execute(_LAST_ASSIGNEE, [requester_id, exclude_ticket_id])
        row = cursor.fetchone()
    return int(row[0]) if row else None
