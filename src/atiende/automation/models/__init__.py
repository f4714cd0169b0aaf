"""The app's tables, one module per part; each is imported here so Django finds it."""

from atiende.automation.models.autoreplies import Announcement, AnnouncementKind
from atiende.automation.models.macros import Macro, MacroUsage

__all__ = ["Announcement", "AnnouncementKind", "Macro", "MacroUsage"]
