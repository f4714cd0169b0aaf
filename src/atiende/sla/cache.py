"""A per-process snapshot of calendars and SLA policies, read on every ticket event.

They change a few times a year; every ticket write and every sweep reads them. Each process
keeps a snapshot for ``TTL`` seconds; a change saved through the sla services clears it at
once and again on commit, other processes see it within ``TTL`` (as ``tickets.config_cache``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

TTL = 10.0
T = TypeVar("T")

_lock = threading.Lock()
_values: dict[str, tuple[float, object]] = {}


def remember(name: str, build: Callable[[], T]) -> T:
    """The value cached under ``name``, built again after ``TTL`` or a change."""
    found = _values.get(name)
    if found is not None and time.monotonic() - found[0] < TTL:
        return found[1]  # type: ignore[return-value]  # stored by this function under name
    value = build()
    with _lock:
        _values[name] = (time.monotonic(), value)
    return value


def clear() -> None:
    with _lock:
        _values.clear()


def changed() -> None:
    """A calendar, holiday, group link or policy changed in this transaction."""
    clear()
    transaction.on_commit(clear)
