"""Who assignment may give a ticket to now: online, recently active, not out of office, a
member of the group, an active agent, and within the group's working hours.

Working hours are the group's business calendar (``automation.business_hours``).
"""

from __future__ import annotations

import datetime

from atiende.accounts.selectors import Candidate, available_members
from atiende.automation import business_hours


def is_working(agent_id: int, group_id: int | None, at: datetime.datetime) -> bool:
    """Whether ``at`` is within the working hours the agent has in ``group_id``: the group's
    calendar (agents have no calendar of their own yet)."""
    return business_hours.is_open(group_id, at)


def available_agents(group_id: int, at: datetime.datetime) -> list[Candidate]:
    """The group's agents who may take a ticket at ``at``, in id order (one query).

    Working hours are the group's, the same for every member: checked once, not per agent.
    """
    members = available_members(group_id, at)
    if not members or not is_working(members[0].user_id, group_id, at):
        return []
    return members
