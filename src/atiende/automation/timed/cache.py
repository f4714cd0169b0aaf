"""The active time-based rules of this process, kept ``TTL`` seconds or until one changes.

Every ticket event asks which rules wait on it (``timed.subscribers``): a query per event
otherwise. The same policy as ``triggers.cache``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from django.db import transaction

from atiende.automation.models import TimedRule

TTL = 10.0

_lock = threading.Lock()
_cached: tuple[float, tuple[TimedRule, ...]] | None = None


def active_rules() -> Sequence[TimedRule]:
    global _cached
    current = _cached
    if current is not None and time.monotonic() - current[0] < TTL:
        return current[1]
    fresh = tuple(TimedRule.objects.filter(active=True))
    with _lock:
        _cached = (time.monotonic(), fresh)
    return fresh


def clear() -> None:
    global _cached
    with _lock:
        _cached = None


def changed() -> None:
    clear()
    transaction.on_commit(clear)
