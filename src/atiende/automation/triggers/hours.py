"""Whether an instant falls inside a group's business hours, through a pluggable calendar.

The calendars live in the sla app (below automation, built in parallel): ``plug_in_sla`` wires
``atiende.sla.selectors.calendar_for_group`` in at start-up when it exists; until then every
group is open around the clock, which is also the calendar of an instance that defines none.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import datetime
from typing import Protocol


class Calendar(Protocol):
    def is_open(self, at: datetime) -> bool: ...


class AlwaysOpen:
    """The 24/7 calendar: open at every instant."""

    def is_open(self, at: datetime) -> bool:
        return True


ALWAYS_OPEN = AlwaysOpen()


def _default(group_id: int | None) -> Calendar:
    return ALWAYS_OPEN


_calendar_for_group: list[Callable[[int | None], Calendar]] = [_default]


def use_calendars(calendar_for_group: Callable[[int | None], Calendar]) -> None:
    """Plug in the calendar of a group (``None``: the default calendar)."""
    _calendar_for_group[:] = [calendar_for_group]


def reset() -> None:
    """Back to 24/7 (tests that plug in a calendar of their own)."""
    _calendar_for_group[:] = [_default]


def plug_in_sla() -> None:
    """Use the sla app's calendars when it has them (``sla.selectors.calendar_for_group``)."""
    if importlib.util.find_spec("atiende.sla.selectors") is None:
        return
    selectors = importlib.import_module("atiende.sla.selectors")
    calendar_for_group = getattr(selectors, "calendar_for_group", None)
    if calendar_for_group is not None:
        use_calendars(calendar_for_group)


def is_open(group_id: int | None, at: datetime) -> bool:
    return _calendar_for_group[0](group_id).is_open(at)
