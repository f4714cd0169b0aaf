"""The notice the acknowledgement of a new ticket carries (plugged into
``messaging.outbound.notices`` at start-up): the announcements running when the ticket arrived,
then, if the ticket's group was closed then, the out-of-hours answer with the next opening."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from atiende.automation import business_hours
from atiende.automation.autoreplies import wording
from atiende.automation.autoreplies.selectors import running_announcements
from atiende.messaging.outbound.notices import Notice
from atiende.tickets.models import Ticket


def display_zone(ticket: Ticket, calendar: object) -> tzinfo:
    """The customer's time zone when they chose one (not the default UTC), else the
    calendar's, else the instance's: the opening time is said as the customer's clock reads."""
    for name in (ticket.requester.time_zone, getattr(calendar, "time_zone", None)):
        if isinstance(name, tzinfo):
            return name
        if isinstance(name, str) and name and name != "UTC":
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(settings.TIME_ZONE)


def notice(ticket: Ticket, language: str) -> Notice | None:
    arrived = ticket.created_at
    lang = wording.language_of(language)
    parts: list[str] = []
    replaces = False
    for announcement in running_announcements(arrived, group_id=ticket.group_id):
        parts.append(announcement.text_es if lang == "es" else announcement.text_en)
        replaces = replaces or announcement.replaces_acknowledgement
    calendar = business_hours.calendar_of(ticket.group_id)
    if not calendar.is_open(arrived):
        opening = calendar.next_opening(arrived)
        parts.append(
            wording.out_of_hours(opening, language=lang, zone=display_zone(ticket, calendar))
        )
    if not parts:
        return None
    return Notice(text="\n\n".join(parts), replaces=replaces)
