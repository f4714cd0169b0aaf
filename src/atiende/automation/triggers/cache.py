"""The active triggers, compiled once per process (``core.snapshots``): every ticket event
runs them, and reading and compiling them per event would cost a query and a parse each time.
``triggers.services`` calls ``changed()``."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from atiende.automation.actions import action_types
from atiende.automation.models import Trigger
from atiende.automation.triggers.conditions import Compiled, compile_conditions
from atiende.core.errors import Invalid
from atiende.core.snapshots import Snapshots

log = logging.getLogger(__name__)


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


_snapshots = Snapshots()
clear = _snapshots.clear
changed = _snapshots.changed


def active_triggers() -> Sequence[CompiledTrigger]:
    """The active triggers in order (``order``, then id), compiled."""
    return _snapshots.remember("active", _compile_active)


def _compile_active() -> tuple[CompiledTrigger, ...]:
    return tuple(
        compiled
        for trigger in Trigger.objects.filter(active=True)
        if (compiled := _compiled(trigger)) is not None
    )


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
