"""Reads of calendars and policies, through the per-process snapshot (``sla.cache``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from atiende.sla import cache
from atiende.sla.calendars import BusinessCalendar
from atiende.sla.conditions import TicketFacts, matches
from atiende.sla.models import (
    Calendar,
    GroupCalendar,
    Holiday,
    SlaEscalation,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
    TargetKind,
)


@dataclass(frozen=True)
class Calendars:
    by_id: dict[int, BusinessCalendar]
    by_group: dict[int, int]  # group id -> calendar id
    default_id: int | None


def _load() -> Calendars:
    holidays: dict[int, list[Holiday]] = {}
    for holiday in Holiday.objects.all():
        holidays.setdefault(holiday.calendar_id, []).append(holiday)
    by_id: dict[int, BusinessCalendar] = {}
    default_id = None
    for row in Calendar.objects.all():
        own = holidays.get(row.pk, [])
        by_id[row.pk] = BusinessCalendar.build(
            time_zone=row.time_zone,
            hours=row.hours,
            dates=[h.date for h in own if not h.yearly],
            yearly=[(h.date.month, h.date.day) for h in own if h.yearly],
            country=row.holiday_country,
            subdivision=row.holiday_subdivision,
        )
        if row.is_default:
            default_id = row.pk
    by_group = dict(GroupCalendar.objects.values_list("group_id", "calendar_id"))
    return Calendars(by_id=by_id, by_group=by_group, default_id=default_id)


def calendars() -> Calendars:
    return cache.remember("calendars", _load)


def calendar_by_id(calendar_id: int | None) -> BusinessCalendar | None:
    if calendar_id is None:
        return None
    return calendars().by_id.get(calendar_id)


def calendar_for_group(group_id: int | None) -> BusinessCalendar:
    """The group's calendar, else the default calendar, else 24/7 (calendar time)."""
    current = calendars()
    calendar_id = current.by_group.get(group_id) if group_id is not None else None
    found = current.by_id.get(calendar_id) if calendar_id is not None else None
    if found is None and current.default_id is not None:
        found = current.by_id.get(current.default_id)
    return found if found is not None else BusinessCalendar.always_open()


@dataclass(frozen=True)
class Level:
    level: int
    minutes: int
    actions: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Policy:
    """An active policy as the timers read it (from the snapshot, not the database)."""

    id: int
    name: str
    conditions: list[dict[str, Any]]
    calendar_id: int | None
    warning_minutes: int
    targets: dict[tuple[int, str], tuple[int, bool]]  # (priority id, kind) -> (minutes, business)
    levels: dict[str, tuple[Level, ...]]  # kind -> levels in order


@dataclass(frozen=True)
class Policies:
    active: tuple[Policy, ...]
    any: bool  # any policy at all, active or not: without one no ticket has timers


def _load_policies() -> Policies:
    every = list(SlaPolicy.objects.order_by("order", "id"))
    rows = [row for row in every if row.is_active]
    ids = [row.pk for row in rows]
    targets: dict[int, dict[tuple[int, str], tuple[int, bool]]] = {pk: {} for pk in ids}
    for target in SlaTarget.objects.filter(policy_id__in=ids):
        targets[target.policy_id][(target.priority_id, target.kind)] = (
            target.minutes,
            target.business_hours,
        )
    levels: dict[int, dict[str, list[Level]]] = {pk: {} for pk in ids}
    for row in SlaEscalation.objects.filter(policy_id__in=ids).order_by("level"):
        levels[row.policy_id].setdefault(row.kind, []).append(
            Level(level=row.level, minutes=row.minutes, actions=tuple(row.actions))
        )
    active = tuple(
        Policy(
            id=row.pk,
            name=row.name,
            conditions=list(row.conditions),
            calendar_id=row.calendar_id,
            warning_minutes=row.warning_minutes,
            targets=targets[row.pk],
            levels={kind: tuple(found) for kind, found in levels[row.pk].items()},
        )
        for row in rows
    )
    return Policies(active=active, any=bool(every))


def active_policies() -> tuple[Policy, ...]:
    """Active policies in order (the first that matches a ticket applies)."""
    return cache.remember("policies", _load_policies).active


def any_policy() -> bool:
    """Whether any policy exists (when none does, no ticket has a timer to keep)."""
    return cache.remember("policies", _load_policies).any


def policy_by_id(policy_id: int) -> Policy | None:
    return next((p for p in active_policies() if p.id == policy_id), None)


def may_cover_channel(channel: str) -> bool:
    """Whether an active policy could cover a ticket of ``channel``: one without a channel
    clause, or whose clause lets it in. A new email ticket needs no SLA read at all while the
    only policy is the shipped one for chat and messaging apps."""
    return any(_channel_allowed(p.conditions, channel) for p in active_policies())


def _channel_allowed(conditions: list[dict[str, Any]], channel: str) -> bool:
    for clause in conditions:
        if clause.get("field") != "channel":
            continue
        values = clause.get("value") or []
        if (clause.get("op") == "in") != (channel in values):
            return False
    return True


def match_policy(facts: TicketFacts) -> Policy | None:
    return next((p for p in active_policies() if matches(p.conditions, facts)), None)


def calendar_for(policy: Policy, group_id: int | None) -> BusinessCalendar:
    """The policy's calendar, else the group's, else the default one, else 24/7."""
    return calendar_by_id(policy.calendar_id) or calendar_for_group(group_id)


def timers_of(ticket_id: int) -> list[SlaTimer]:
    """The ticket's SLA timers (the ticket page lists the running ones)."""
    return list(SlaTimer.objects.filter(ticket_id=ticket_id).order_by("kind"))


@dataclass(frozen=True)
class TimerView:
    """One SLA clock as the ticket page shows it: which target, under which policy, its due
    time and state (``running``, ``paused``, ``fulfilled``, ``stopped``), breached or not."""

    kind: str
    label: str
    policy_id: int
    policy_name: str
    due_at: dt.datetime | None
    state: str
    breached: bool
    paused_at: dt.datetime | None


def ticket_timers(ticket_id: int) -> list[TimerView]:
    """The ticket's SLA clocks, running ones first then by target. The caller has already
    passed the ticket through the gate (``tickets.selectors.get_ticket``)."""
    order = {kind: index for index, kind in enumerate(TargetKind.values)}
    views = []
    for timer in SlaTimer.objects.filter(ticket_id=ticket_id).select_related("policy"):
        if timer.fulfilled_at is not None:
            state = "fulfilled"
        elif timer.stopped_at is not None:
            state = "stopped"
        elif timer.paused_at is not None:
            state = "paused"
        else:
            state = "running"
        views.append(
            TimerView(
                kind=timer.kind,
                label=str(TargetKind(timer.kind).label),
                policy_id=timer.policy_id,
                policy_name=timer.policy.name,
                due_at=timer.due_at,
                state=state,
                breached=timer.breached_at is not None,
                paused_at=timer.paused_at,
            )
        )
    views.sort(key=lambda v: (v.state != "running", order[v.kind]))
    return views
