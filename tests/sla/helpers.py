"""Shared set-up for the SLA tests: a Santiago office calendar and a policy, through services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from atiende.sla.models import Calendar, SlaPolicy
from atiende.sla.services.calendars import create_calendar
from atiende.sla.services.policies import create_policy
from tests.factories import SYSTEM

SANTIAGO = ZoneInfo("America/Santiago")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
SPLIT = {day: [["09:00", "13:00"], ["14:00", "18:00"]] for day in WEEKDAYS}


def local(*args: int) -> dt.datetime:
    """A Santiago wall time (December: UTC-3)."""
    return dt.datetime(*args, tzinfo=SANTIAGO)


def office(**extra: Any) -> Calendar:
    values: dict[str, Any] = {
        "name": "Santiago office",
        "time_zone": "America/Santiago",
        "hours": SPLIT,
        "is_default": True,
        **extra,
    }
    return create_calendar(SYSTEM, **values)


def targets(priority: str = "normal", **minutes: int) -> list[dict[str, Any]]:
    return [
        {"priority": priority, "kind": kind, "minutes": value, "business_hours": True}
        for kind, value in minutes.items()
    ]


STANDARD = {
    "first_reply": 60,
    "next_reply": 120,
    "periodic_update": 240,
    "resolution": 480,
}


def standard_policy(**extra: Any) -> SlaPolicy:
    values: dict[str, Any] = {
        "name": "Standard",
        "targets": targets("normal", **STANDARD)
        + targets("urgent", first_reply=15, resolution=120),
        "warning_minutes": 15,
        **extra,
    }
    return create_policy(SYSTEM, **values)


def remove_shipped_policy() -> None:
    from atiende.sla.config_selectors import list_policies
    from atiende.sla.services.policies import delete_policy

    for policy in list_policies(SYSTEM, limit=100, cursor=None).items:
        if policy.name == "Chat y mensajería":
            delete_policy(SYSTEM, policy_id=policy.pk)
