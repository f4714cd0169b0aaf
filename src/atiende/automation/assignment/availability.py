"""Who assignment may give a ticket to now: online, recently active, not out of office, a
member of the group, an active agent, and within the group's working hours.

Working hours come from the group's business calendar, which the sla app owns (above us is
automation, below is sla: we may import it, but it is built in parallel). Until it is wired
in (``use_calendar_lookup`` at start-up, with ``atiende.sla.selectors.calendar_for_group``),
every group works around the clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Protocol

from atiende.accounts.selectors import Candidate, available_members


class Calendar(Protocol):
    def is_open(self, at: datetime.datetime) -> bool: ...


class AlwaysOpen:
    """Twenty-four hours, seven days: the calendar of a group that names none."""

    def is_open(self, at: datetime.datetime) -> bool:
        return True


ALWAYS_OPEN = AlwaysOpen()
CalendarLookup = Callable[[int | None], Calendar]


def _around_the_clock(group_id: int | None) -> Calendar:
    return ALWAYS_OPEN


_lookup: list[CalendarLookup] = [_around_the_clock]


def use_calendar_lookup(lookup: CalendarLookup | None) -> None:
    """Plug in the group → calendar lookup (the sla app's ``calendar_for_group``); None
    restores around-the-clock hours."""
    _lookup[0] = lookup or _around_the_clock


def is_working(agent_id: int, group_id: int | None, at: datetime.datetime) -> bool:
    """Whether ``at`` is within the working hours the agent has in ``group_id``: the group's
    calendar (agents have no calendar of their own yet)."""
    return _lookup[0](group_id).is_open(at)


def available_agents(group_id: int, at: datetime.datetime) -> list[Candidate]:
    """The group's agents who may take a ticket at ``at``, in id order (one query).

    Working hours are the group's, the same for every member: checked once, not per agent.
    """
    members = available_members(group_id, at)
    if not members or not is_working(members[0].user_id, group_id, at):
        return []
    return members
