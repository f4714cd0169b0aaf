"""The app's tables, one module per part; each is imported here so Django finds it."""

from atiende.sla.models.calendars import Calendar, GroupCalendar, Holiday
from atiende.sla.models.policies import SlaEscalation, SlaPolicy, SlaTarget, TargetKind
from atiende.sla.models.timers import SlaTimer

__all__ = [
    "Calendar",
    "GroupCalendar",
    "Holiday",
    "SlaEscalation",
    "SlaPolicy",
    "SlaTarget",
    "SlaTimer",
    "TargetKind",
]
