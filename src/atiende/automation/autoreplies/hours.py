"""When the team is open: one function over a pluggable calendar look-up.

The calendars are the sla app's (``sla.selectors.calendar_for_group``). Until it is wired in
(``use_calendar_lookup`` in ``AutomationConfig.ready``), every group is always open, so no
out-of-hours answer is ever sent. Anything with ``is_open(at)`` and ``next_opening(at)`` is a
calendar here (the sla app's ``BusinessCalendar`` is one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol


class OpeningHours(Protocol):
    def is_open(self, at: datetime) -> bool: ...

    def next_opening(self, at: datetime) -> datetime: ...


class AlwaysOpen:
    """The calendar of a team that never closes."""

    def is_open(self, at: datetime) -> bool:
        return True

    def next_opening(self, at: datetime) -> datetime:
        return at


ALWAYS_OPEN = AlwaysOpen()
CalendarLookup = Callable[[int | None], OpeningHours]


def _always_open(group_id: int | None) -> OpeningHours:
    return ALWAYS_OPEN


_lookup: CalendarLookup = _always_open


def use_calendar_lookup(lookup: CalendarLookup) -> None:
    """Install the calendar of a group (``None``: no group) — at start-up, or in a test."""
    global _lookup
    _lookup = lookup


def calendar_for(group_id: int | None) -> OpeningHours:
    return _lookup(group_id)


def is_open(group_id: int | None, at: datetime) -> bool:
    return calendar_for(group_id).is_open(at)


def next_opening(group_id: int | None, at: datetime) -> datetime:
    """The next moment the group's team is open (``at`` itself when open now)."""
    return calendar_for(group_id).next_opening(at)
