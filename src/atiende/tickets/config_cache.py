"""A per-process snapshot of the small configuration tables that every ticket write reads.

Statuses, priorities and custom-field definitions change a few times a year, yet opening a
ticket read all three: three of the dozen queries a create cost. Each process keeps a snapshot
for ``TTL`` seconds. A change saved in this process (through the services or the Django admin)
clears it at once and again on commit; other processes see the change within ``TTL``.

Callers get copies, so a caller that changes an instance cannot change the snapshot.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from atiende.tickets.models import CustomField, Priority, Status

TTL = 10.0


@dataclass(frozen=True)
class Snapshot:
    statuses: tuple[Status, ...]  # in display order (order, id)
    priorities: tuple[Priority, ...]
    custom_fields: tuple[CustomField, ...]  # active ones only
    taken_at: float


_lock = threading.Lock()
_snapshot: Snapshot | None = None


def snapshot() -> Snapshot:
    global _snapshot
    current = _snapshot
    if current is not None and time.monotonic() - current.taken_at < TTL:
        return current
    fresh = Snapshot(
        statuses=tuple(Status.objects.order_by("order", "id")),
        priorities=tuple(Priority.objects.order_by("order", "id")),
        custom_fields=tuple(CustomField.objects.filter(is_active=True)),
        taken_at=time.monotonic(),
    )
    with _lock:
        _snapshot = fresh
    return fresh


def clear() -> None:
    global _snapshot
    with _lock:
        _snapshot = None


def statuses() -> list[Status]:
    return [copy.copy(s) for s in snapshot().statuses]


def priorities() -> list[Priority]:
    return [copy.copy(p) for p in snapshot().priorities]


def custom_fields(target: str) -> list[CustomField]:
    return [copy.copy(f) for f in snapshot().custom_fields if f.target == target]


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
