"""Whether a group's team is open, and when it opens next: the sla app's business calendars.

``sla.selectors.calendar_for_group`` gives the group's calendar, else the default calendar,
else around the clock. Rules ("within business hours"), auto-replies (the out-of-hours answer)
and assignment (working hours) all ask here, so the three never disagree.
"""

from __future__ import annotations

from datetime import datetime

from atiende.sla.calendars import BusinessCalendar
from atiende.sla.selectors import calendar_for_group


def calendar_of(group_id: int | None) -> BusinessCalendar:
    return calendar_for_group(group_id)


def is_open(group_id: int | None, at: datetime) -> bool:
    return calendar_for_group(group_id).is_open(at)


def next_opening(group_id: int | None, at: datetime) -> datetime:
    """The next moment the group's team is open (``at`` itself when open now)."""
    return calendar_for_group(group_id).next_opening(at)
