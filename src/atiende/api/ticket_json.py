"""Tickets as JSON data for the API, read as plain rows: no model instances, no validation.

A page of 25 tickets built through model instances (ticket + five related objects each) and
ninja's per-field schema validation cost about 13 ms of Python, most of the list's time. Read
as one ``values()`` query plus one for the tags, the same page costs a few milliseconds. The
shape is exactly `TicketOut` (the OpenAPI schema still declares it, and the API tests and
schemathesis check responses against it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language

from atiende.tickets import config_cache
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket

FIELDS = (
    "id",
    "number",
    "subject",
    "type",
    "channel",
    "custom_fields",
    "resolution",
    "merged_into_id",
    "first_response_at",
    "solved_at",
    "closed_at",
    "last_message_at",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "version",
    "created_at",
    "updated_at",
)
RELATED = (
    "status_id",
    "priority_id",
    "requester_id",
    "requester__name",
    "requester__email",
    "organization_id",
    "organization__name",
    "group_id",
    "group__name",
    "assignee_id",
    "assignee__name",
    "assignee__email",
    "category_id",
    "category__name_en",
    "category__name_es",
)
COLUMNS = FIELDS + RELATED


def row_of(ticket: Ticket) -> dict[str, Any]:
    """The row ``values(*COLUMNS)`` would read for ``ticket``, taken from the instance (a
    ticket just written, whose related objects are in memory), so that the answer to a write
    does not read the ticket back."""
    row: dict[str, Any] = {}
    for column in COLUMNS:
        value: Any = ticket
        for part in column.split("__"):
            value = None if value is None else getattr(value, part)
        row[column] = value
    return row


def documents(
    rows: Sequence[dict[str, Any]], *, tags: dict[int, list[str]] | None = None
) -> list[dict[str, Any]]:
    """The JSON data of each row (a ``values(*COLUMNS)`` dict), in order; ``tags`` (ticket id
    → names) when the caller knows them, else they are read."""
    if not rows:
        return []
    snapshot = config_cache.snapshot()  # read only: no copies
    statuses = {s.pk: s for s in snapshot.statuses}
    priorities = {p.pk: p for p in snapshot.priorities}
    missing = {r["status_id"] for r in rows} - statuses.keys()
    missing |= {r["priority_id"] for r in rows} - priorities.keys()
    if missing:  # created in another process since the snapshot was taken
        config_cache.clear()
        snapshot = config_cache.snapshot()
        statuses = {s.pk: s for s in snapshot.statuses}
        priorities = {p.pk: p for p in snapshot.priorities}
    if tags is None:
        tags = _tags([r["id"] for r in rows])
    spanish = (get_language() or "en")[:2] == "es"
    out = []
    for row in rows:
        status, priority = statuses[row["status_id"]], priorities[row["priority_id"]]
        document = {name: row[name] for name in FIELDS}
        document["status"] = {
            "id": status.pk,
            "key": status.key,
            "name": status.name,
            "category": status.category,
        }
        document["priority"] = {
            "id": priority.pk,
            "key": priority.key,
            "name": priority.name,
            "color": priority.color,
            "order": priority.order,
        }
        document["requester"] = _user(row, "requester")
        document["assignee"] = _user(row, "assignee")
        document["organization"] = _named(row, "organization")
        document["group"] = _named(row, "group")
        category_id = row["category_id"]
        document["category"] = (
            None
            if category_id is None
            else {
                "id": category_id,
                "name": (spanish and row["category__name_es"]) or row["category__name_en"],
            }
        )
        document["tags"] = tags.get(row["id"], [])
        out.append(document)
    return out


def document(tickets: QuerySet[Ticket], ticket_id: int) -> dict[str, Any]:
    """The JSON data of one ticket of ``tickets`` (already scoped to the caller)."""
    rows = list(tickets.filter(pk=ticket_id).values(*COLUMNS))
    if not rows:
        raise TicketNotFound()
    return documents(rows)[0]


def _tags(ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    through = Ticket.tags.through
    found: dict[int, list[str]] = defaultdict(list)
    pairs = through.objects.filter(ticket_id__in=list(ticket_ids)).values_list(
        "ticket_id", "tag__name"
    )
    for ticket_id, name in pairs:
        found[ticket_id].append(name)
    return {ticket_id: sorted(names) for ticket_id, names in found.items()}


def _user(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    pk = row[f"{prefix}_id"]
    if pk is None:
        return None
    name, email = row[f"{prefix}__name"], row[f"{prefix}__email"]
    return {"id": pk, "name": name or email or f"#{pk}", "email": email}


def _named(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    pk = row[f"{prefix}_id"]
    return None if pk is None else {"id": pk, "name": row[f"{prefix}__name"]}
