"""The app's tables, one module per part; each is imported here so Django finds it."""

from atiende.automation.models.assignment import GroupAssignment, Strategy
from atiende.automation.models.autoreplies import Announcement, AnnouncementKind
from atiende.automation.models.macros import Macro, MacroUsage
from atiende.automation.models.triggers import TimedCondition, TimedRule, TimedRuleDue, Trigger

__all__ = [
    "Announcement",
    "AnnouncementKind",
    "GroupAssignment",
    "Macro",
    "MacroUsage",
    "Strategy",
    "TimedCondition",
    "TimedRule",
    "TimedRuleDue",
    "Trigger",
]
