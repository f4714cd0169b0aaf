"""The active triggers, compiled once per process and kept until one changes.

Every ticket event runs the rules, so reading and compiling them per event would cost a query
and a parse each time. A change saved in this process (``triggers.services``) clears the cache
at once and again on commit; other processes see it within ``TTL`` seconds, as they see a
change of statuses (``tickets.config_cache``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from atiende.automation.actions import action_types
from atiende.automation.models import Trigger
from atiende.automation.triggers.conditions import Compiled, compile_conditions
from atiende.core.errors import Invalid

log = logging.getLogger(__name__)

TTL = 10.0


@dataclass(frozen=True)
class CompiledTrigger:
    id: int
    name: str
    compiled: Compiled
    actions: tuple[Mapping[str, Any], ...]

    @classmethod
    def of(cls, trigger: Trigger) -> CompiledTrigger:
        return cls(
            id=trigger.pk,
            name=trigger.name,
            compiled=compile_conditions(trigger.conditions or {}),
            actions=tuple(trigger.actions or ()),
        )


_lock = threading.Lock()
_cached: tuple[float, tuple[CompiledTrigger, ...]] | None = None


def active_triggers() -> Sequence[CompiledTrigger]:
    """The active triggers in order (``order``, then id), compiled."""
    global _cached
    current = _cached
    if current is not None and time.monotonic() - current[0] < TTL:
        return current[1]
    fresh = tuple(
        compiled
        for trigger in Trigger.objects.filter(active=True)
        if (compiled := _compiled(trigger)) is not None
    )
    with _lock:
        _cached = (time.monotonic(), fresh)
    return fresh


def _compiled(trigger: Trigger) -> CompiledTrigger | None:
    """``trigger`` compiled, or None (logged) when it cannot run: it names a custom field
    deleted since, or an action type this installation does not have. A broken rule must
    not stop every ticket change."""
    known = action_types()
    missing = [a.get("type") for a in trigger.actions or () if a.get("type") not in known]
    if missing:
        log.info("trigger %s skipped: unknown action types %s", trigger.pk, missing)
        return None
    try:
        return CompiledTrigger.of(trigger)
    except Invalid as error:
        log.info("trigger %s skipped: %s", trigger.pk, error)
        return None


def clear() -> None:
    global _cached
    with _lock:
        _cached = None


def changed() -> None:
    """A trigger changed: forget now (this transaction) and after the commit (the others)."""
    clear()
    transaction.on_commit(clear)
