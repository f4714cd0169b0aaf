"""Per-process snapshots of configuration that every ticket event reads.

Calendars, SLA policies, triggers and time-based rules change a few times a year, yet each
ticket write consults them: reading them per event would cost queries (and compiling rules)
every time. A ``Snapshots`` keeps each value for ``ttl`` seconds
(``ATIENDE_CONFIG_SNAPSHOT_SECONDS`` unless given); a change saved through this
process's services calls ``changed()``, which forgets at once (this transaction sees its own
change) and again on commit (so a rolled-back change is not kept either). Other processes see
a change within ``ttl`` seconds, as they see a change of statuses (``tickets.config_cache``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")


class Snapshots:
    def __init__(self, ttl: float | None = None) -> None:
        self._ttl = ttl  # None: ``settings.ATIENDE_CONFIG_SNAPSHOT_SECONDS``
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, object]] = {}

    def remember(self, name: str, build: Callable[[], T]) -> T:
        """The value kept under ``name``, built again after ``ttl`` or a change."""
        found = self._values.get(name)
        if found is not None and time.monotonic() - found[0] < self.ttl:
            return found[1]  # type: ignore[return-value]  # stored by this method under name
        value = build()
        with self._lock:
            self._values[name] = (time.monotonic(), value)
        return value

    @property
    def ttl(self) -> float:
        return settings.ATIENDE_CONFIG_SNAPSHOT_SECONDS if self._ttl is None else self._ttl

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def changed(self) -> None:
        """What the snapshots hold changed in this transaction."""
        self.clear()
        transaction.on_commit(self.clear)
