"""The audit trail: one ``TicketEvent`` per changed field, values stored as readable snapshots."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.tickets import store
from atiende.tickets.models import Ticket, TicketEvent

Snapshot = dict[str, Any] | list[Any] | str | int | float | bool | None


def snapshot(value: Any) -> Snapshot:
    """A JSON value that still reads well after the referenced row is renamed or deleted."""
    if isinstance(value, str):
        return str(value)  # a choices or StrEnum member becomes its plain value
    if value is None or isinstance(value, int | float | bool):
        return value
    if isinstance(value, User):
        return {"id": value.pk, "name": value.display_name}
    if isinstance(value, models.Model):
        data: dict[str, Any] = {"id": value.pk, "name": str(value)}
        key = getattr(value, "key", None)
        if key:
            data["key"] = key
        return data
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [snapshot(v) for v in value]
    return str(value)


def event(
    ticket: Ticket,
    actor: Actor,
    action: str,
    *,
    field: str = "",
    old: Any = None,
    new: Any = None,
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        actor_id=actor.user_id,
        source=actor.source.value,
        source_detail=actor.detail[:200],
        action=action,
        field=field,
        old_value=snapshot(old),
        new_value=snapshot(new),
    )


def record(events: Iterable[TicketEvent]) -> None:
    store.insert_events(list(events))
