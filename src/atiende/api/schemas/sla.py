"""Business calendar and SLA policy schemas.

The structured parts (weekly hours, conditions, escalation actions) are checked by the sla
services, which name every bad part (``hours.monday[1]``, ``targets[0].minutes``); the
schemas bound their size and shape only.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StringConstraints

from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import BodyIn, Clean, Id, Name, Page, Timestamp, UpdateIn
from atiende.core.text import clean_text

ZoneName = Annotated[str, Clean, StringConstraints(max_length=64)]
Country = Annotated[str, Clean, StringConstraints(max_length=8)]
Subdivision = Annotated[str, Clean, StringConstraints(max_length=16)]
DayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Clock = Annotated[str, Clean, StringConstraints(max_length=5)]
Interval = Annotated[list[Clock], Field(min_length=2, max_length=2)]
Hours = dict[DayName, Annotated[list[Interval], Field(max_length=24)]]
DateText = Annotated[str, Clean, StringConstraints(max_length=10)]
HolidayName = Annotated[str, Clean, StringConstraints(max_length=150)]
TargetKindName = Literal["first_reply", "next_reply", "periodic_update", "resolution"]
Minutes = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Order = Annotated[int, Field(ge=0, le=2**31 - 1)]


def _clean_deep(value: Any) -> Any:
    """Strip NUL bytes and lone surrogates from every string inside a JSON value (PostgreSQL's
    jsonb refuses ``\\u0000``), keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_deep(item) for item in value]
    if isinstance(value, dict):
        return {_clean_deep(key): _clean_deep(item) for key, item in value.items()}
    return value


# A JSON object of a rule's parts: the services check fields, operators and values.
Part = Annotated[
    dict[Annotated[str, StringConstraints(max_length=100)], Any], BeforeValidator(_clean_deep)
]


class HolidayIn(BodyIn):
    date: DateText = Field(description="YYYY-MM-DD; with ``yearly`` only month and day count.")
    yearly: bool = False
    name: HolidayName = ""


class HolidayOut(Schema):
    date: datetime.date
    yearly: bool
    name: str


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    hours: dict[str, list[list[str]]]
    holiday_country: str
    holiday_subdivision: str
    is_default: bool
    holidays: list[HolidayOut]
    group_ids: list[int]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_holidays(obj: Any) -> list[Any]:
        return list(obj.holidays.all())

    @staticmethod
    def resolve_group_ids(obj: Any) -> list[int]:
        return [link.group_id for link in obj.groups.all()]


CalendarPage = Page[CalendarOut]


class CalendarCreateIn(BodyIn):
    name: Name
    time_zone: ZoneName = Field(description="An IANA time zone, e.g. America/Santiago.")
    hours: Hours = Field(
        description='Open intervals per day, e.g. {"monday": [["09:00", "13:00"], '
        '["14:00", "18:00"]]}; days left out are closed.'
    )
    holiday_country: Country = Field("", description="ISO country for public holidays (CL…).")
    holiday_subdivision: Subdivision = ""
    is_default: bool = False
    holidays: list[HolidayIn] = Field(default_factory=list, max_length=500)


class CalendarUpdateIn(UpdateIn):
    """Only the fields present change; ``holidays`` replaces the calendar's own holidays."""

    name: Name | None = None
    time_zone: ZoneName | None = None
    hours: Hours | None = None
    holiday_country: Country | None = None
    holiday_subdivision: Subdivision | None = None
    is_default: bool | None = None
    holidays: list[HolidayIn] | None = Field(default=None, max_length=500)


class NextOpeningIn(Schema):
    at: Timestamp | None = Field(None, description="From this instant; default: now.")


class NextOpeningOut(Schema):
    at: datetime.datetime
    next_opening: datetime.datetime
    open_now: bool


class GroupCalendarIn(BodyIn):
    calendar_id: Id | None = Field(description="``null``: the default calendar.")


class GroupCalendarOut(Schema):
    group_id: int
    calendar_id: int | None


class TargetIn(BodyIn):
    priority: Annotated[str, Clean, StringConstraints(max_length=40)]
    kind: TargetKindName
    minutes: Minutes = Field(description="Above zero.")
    business_hours: bool = True


class TargetOut(Schema):
    priority: str
    kind: str
    minutes: int
    business_hours: bool

    @staticmethod
    def resolve_priority(obj: Any) -> str:
        return str(obj.priority.key)


class EscalationIn(BodyIn):
    kind: TargetKindName
    level: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] = Field(description="1 to 4.")
    minutes: Minutes = Field(0, description="After the breach (negative: before it).")
    actions: list[Part] = Field(max_length=50, description="See GET /automation/actions.")


class EscalationOut(Schema):
    kind: str
    level: int
    minutes: int
    actions: list[dict[str, Any]]


class PolicyOut(Schema):
    id: int
    name: str
    order: int
    is_active: bool
    conditions: list[dict[str, Any]]
    calendar_id: int | None
    warning_minutes: int
    targets: list[TargetOut]
    escalations: list[EscalationOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())

    @staticmethod
    def resolve_escalations(obj: Any) -> list[Any]:
        return list(obj.escalations.all())


PolicyPage = Page[PolicyOut]


class PolicyCreateIn(BodyIn):
    name: Name
    targets: list[TargetIn] = Field(max_length=200)
    order: Order = 0
    is_active: bool = True
    conditions: list[Part] = Field(
        default_factory=list,
        max_length=50,
        description="All must hold: {field, op, value}; see GET /automation/conditions.",
    )
    calendar_id: Id | None = None
    warning_minutes: Order = 30
    escalations: list[EscalationIn] = Field(default_factory=list, max_length=50)


class PolicyUpdateIn(UpdateIn):
    """Only the fields present change; ``targets`` and ``escalations`` replace the old ones."""

    nullable = frozenset({"calendar_id"})
    name: Name | None = None
    targets: list[TargetIn] | None = Field(default=None, max_length=200)
    order: Order | None = None
    is_active: bool | None = None
    conditions: list[Part] | None = Field(default=None, max_length=50)
    calendar_id: Id | None = None
    warning_minutes: Order | None = None
    escalations: list[EscalationIn] | None = Field(default=None, max_length=50)


class ReorderIn(BodyIn):
    ids: list[Id] = Field(max_length=1000, description="Every id, once, in the new order.")


class TimerOut(Schema):
    kind: str
    label: str
    policy_id: int
    policy_name: str
    due_at: datetime.datetime | None
    state: Literal["running", "paused", "fulfilled", "stopped"]
    breached: bool
    paused_at: datetime.datetime | None


class TicketSlaOut(Schema):
    ticket_id: int
    timers: list[TimerOut]


__all__ = ["PageIn"]
