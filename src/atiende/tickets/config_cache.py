"""A per-process snapshot of the small configuration tables that every ticket write reads.

Statuses, priorities and custom-field definitions change a few times a year, yet opening a
ticket read all three: three of the dozen queries a create cost. Each process keeps a snapshot
for ``ATIENDE_CONFIG_SNAPSHOT_SECONDS`` (10) seconds. A change saved in this process (through
the services or the Django admin) clears it at once and again on commit; other processes see
the change within that time.

Callers get copies, so a caller that changes an instance cannot change the snapshot.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from atiende.tickets.models import CustomField, Priority, Status

if TYPE_CHECKING:
    from atiende.tickets.models import Ticket


@dataclass(frozen=True)
class Snapshot:
    statuses: tuple[Status, ...]  # in display order (order, id)
    priorities: tuple[Priority, ...]
    custom_fields: tuple[CustomField, ...]  # active ones only
    transitions: dict[int, frozenset[int]]  # status id -> the ids it may move to (if limited)
    taken_at: float
    # Lookups of one row by id or key, the way every ticket write asks.
    status_index: dict[int | str, Status] = field(default_factory=dict)
    priority_index: dict[int | str, Priority] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for status in reversed(self.statuses):  # the first of a key in display order wins
            self.status_index[status.pk] = self.status_index[status.key] = status
        for priority in reversed(self.priorities):
            self.priority_index[priority.pk] = self.priority_index[priority.key] = priority


_lock = threading.Lock()
_snapshot: Snapshot | None = None


def snapshot() -> Snapshot:
    global _snapshot
    current = _snapshot
    ttl = settings.ATIENDE_CONFIG_SNAPSHOT_SECONDS
    if current is not None and time.monotonic() - current.taken_at < ttl:
        return current
    fresh = Snapshot(
        statuses=tuple(Status.objects.order_by("order", "id")),
        priorities=tuple(Priority.objects.order_by("order", "id")),
        custom_fields=tuple(CustomField.objects.filter(is_active=True)),
        transitions=_transitions(),
        taken_at=time.monotonic(),
    )
    if not fresh.statuses or not fresh.priorities:
        # Read while the tables were being emptied and filled again (a restore, a test
        # database reset): never the steady state — keeping it would refuse every write of
        # the next seconds with "no status is configured".
        return fresh
    with _lock:
        _snapshot = fresh
    return fresh


def _transitions() -> dict[int, frozenset[int]]:
    pairs: dict[int, set[int]] = {}
    through = Status.allowed_next.through.objects.values_list("from_status_id", "to_status_id")
    for source, target in through:
        pairs.setdefault(source, set()).add(target)
    return {source: frozenset(targets) for source, targets in pairs.items()}


def allowed_next(status_id: int) -> list[Status]:
    """The active statuses ``status_id`` may move to; empty when it is not limited."""
    current = snapshot()
    targets = current.transitions.get(status_id, frozenset())
    return [copy.copy(s) for s in current.statuses if s.pk in targets and s.is_active]


def clear() -> None:
    global _snapshot
    with _lock:
        _snapshot = None


def statuses() -> list[Status]:
    return [copy.copy(s) for s in snapshot().statuses]


def priorities() -> list[Priority]:
    return [copy.copy(p) for p in snapshot().priorities]


def find_status(id_or_key: int | str) -> Status | None:
    """The status with this id (an ``int``) or key (a ``str``), a copy; None when unknown.

    Every ticket write asks for one status: copying the whole list to find it cost more than
    the rest of the lookup."""
    found = snapshot().status_index.get(id_or_key)
    return copy.copy(found) if found is not None else None


def find_priority(id_or_key: int | str) -> Priority | None:
    """The priority with this id (an ``int``) or key (a ``str``), a copy; None when unknown."""
    found = snapshot().priority_index.get(id_or_key)
    return copy.copy(found) if found is not None else None


def custom_fields(target: str) -> list[CustomField]:
    return [copy.copy(f) for f in snapshot().custom_fields if f.target == target]


def attach(tickets: Iterable[Ticket]) -> None:
    """Give each ticket its status and priority from the snapshot, without a join or a query.

    Lists read tickets without joining the two tiny tables: a join to ``tickets_status`` let
    SQLite's planner drive the query from the status table and sort every ticket. A status or
    priority the snapshot does not know yet (created in another process moments ago) is left
    to load lazily.
    """
    current = snapshot()
    for ticket in tickets:
        if (status := current.status_index.get(ticket.status_id)) is not None:
            ticket.status = copy.copy(status)
        if (priority := current.priority_index.get(ticket.priority_id)) is not None:
            ticket.priority = copy.copy(priority)


def _changed(**_: Any) -> None:
    clear()
    transaction.on_commit(clear)


for _model in (Status, Priority, CustomField):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"config-cache-save-{_model.__name__}")
    post_delete.connect(
        _changed, sender=_model, dispatch_uid=f"config-cache-delete-{_model.__name__}"
    )
m2m_changed.connect(
    _changed, sender=Status.allowed_next.through, dispatch_uid="config-cache-transitions"
)
