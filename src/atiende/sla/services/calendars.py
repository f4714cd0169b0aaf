"""Writes of business calendars, their holidays and which group works to which.

Administrators only. Every write is validated through ``BusinessCalendar.build`` (the same
checks the arithmetic relies on), so a stored calendar always builds; the per-process calendar
cache is cleared at once and again on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name, save_unique
from atiende.sla import cache
from atiende.sla.calendars import BusinessCalendar
from atiende.sla.models import Calendar, GroupCalendar, Holiday

CALENDAR_FIELDS = {
    "name",
    "time_zone",
    "hours",
    "holiday_country",
    "holiday_subdivision",
    "is_default",
    "holidays",
}


def create_calendar(
    actor: Actor,
    *,
    name: str,
    time_zone: str,
    hours: Mapping[str, Any],
    holiday_country: str = "",
    holiday_subdivision: str = "",
    is_default: bool = False,
    holidays: Sequence[Mapping[str, Any]] = (),
) -> Calendar:
    """A new calendar; ``holidays`` are ``{"date": "2026-12-24", "yearly": bool, "name": ...}``."""
    return _save(
        actor,
        Calendar(),
        {
            "name": name,
            "time_zone": time_zone,
            "hours": hours,
            "holiday_country": holiday_country,
            "holiday_subdivision": holiday_subdivision,
            "is_default": is_default,
            "holidays": list(holidays),
        },
    )


def update_calendar(actor: Actor, *, calendar_id: int, changes: dict[str, Any]) -> Calendar:
    """Change some fields; ``holidays``, when given, replaces the calendar's own holidays."""
    require_admin(actor)
    check_changes(changes, allowed=CALENDAR_FIELDS)
    calendar = _get(calendar_id)
    return _save(actor, calendar, changes)


@transaction.atomic
def delete_calendar(actor: Actor, *, calendar_id: int) -> None:
    """Delete a calendar; groups and policies naming it fall back to the default one."""
    require_admin(actor)
    _get(calendar_id).delete()
    cache.changed()


@transaction.atomic
def set_group_calendar(actor: Actor, *, group_id: int, calendar_id: int | None) -> None:
    """Make ``group_id`` work to ``calendar_id`` (``None``: to the default calendar)."""
    require_admin(actor)
    if not Group.objects.filter(pk=group_id).exists():
        raise Invalid.field("group_id", _("Unknown group."))
    if calendar_id is None:
        GroupCalendar.objects.filter(group_id=group_id).delete()
    else:
        _get(calendar_id, field="calendar_id")
        GroupCalendar.objects.update_or_create(
            group_id=group_id, defaults={"calendar_id": calendar_id}
        )
    cache.changed()


@transaction.atomic
def _save(actor: Actor, calendar: Calendar, changes: Mapping[str, Any]) -> Calendar:
    require_admin(actor)
    if "name" in changes:
        calendar.name = clean_name(changes["name"] or "", "name", max_length=150, required=True)
    for field in ("time_zone", "hours", "holiday_country", "holiday_subdivision"):
        if field in changes:
            value = changes[field]
            setattr(calendar, field, value if value is not None else "")
    if "is_default" in changes:
        calendar.is_default = bool(changes["is_default"])
    holidays = _clean_holidays(changes["holidays"] or []) if "holidays" in changes else None
    BusinessCalendar.build(
        time_zone=calendar.time_zone,
        hours=calendar.hours,
        country=str(calendar.holiday_country or ""),
        subdivision=str(calendar.holiday_subdivision or ""),
    )
    calendar.holiday_country = str(calendar.holiday_country).upper()
    calendar.holiday_subdivision = str(calendar.holiday_subdivision).upper()
    if calendar.is_default:
        Calendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)
    save_unique(calendar, field="name", message=_("A calendar with this name already exists."))
    if holidays is not None:
        calendar.holidays.all().delete()
        for holiday in holidays:
            holiday.calendar = calendar
        Holiday.objects.bulk_create(holidays)
    cache.changed()
    return calendar


def _clean_holidays(items: Sequence[Any]) -> list[Holiday]:
    errors = ErrorCollector()
    result: list[Holiday] = []
    if not isinstance(items, list | tuple):
        raise Invalid.field("holidays", _("Holidays must be a list."))
    for index, item in enumerate(items):
        part = f"holidays[{index}]"
        if not isinstance(item, Mapping):
            errors.add(part, _("A holiday is an object with a date."))
            continue
        day = item.get("date")
        if isinstance(day, str):
            try:
                day = dt.date.fromisoformat(day)
            except ValueError:
                day = None
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            errors.add(f"{part}.date", _("Enter a date as YYYY-MM-DD."))
            continue
        name = item.get("name", "")
        if not isinstance(name, str) or len(name) > 150:
            errors.add(f"{part}.name", _("At most %(max)d characters.") % {"max": 150})
            continue
        result.append(Holiday(date=day, yearly=bool(item.get("yearly", False)), name=name))
    errors.raise_if_any()
    return result


def _get(calendar_id: int, *, field: str = "calendar_id") -> Calendar:
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("Unknown calendar."), errors=[])
    return calendar
