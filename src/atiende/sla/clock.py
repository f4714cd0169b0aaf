"""Scheduling one timer: its due time, warning time and escalation instants.

Pure arithmetic over a ``BusinessCalendar``; no queries. Business time is counted from
``anchor_at`` (the start or the last resume) with ``used_seconds`` already consumed, so a pause
costs nothing and a resume continues with the time that was left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from atiende.sla.calendars import BusinessCalendar
from atiende.sla.models import SlaTimer
from atiende.sla.selectors import Level


def _after(clock: BusinessCalendar, start: dt.datetime, seconds: float) -> dt.datetime:
    if seconds <= 0:
        return start
    return clock.add_business_time(start, dt.timedelta(seconds=seconds))


def schedule(
    timer: SlaTimer,
    *,
    calendar: BusinessCalendar,
    warning_minutes: int,
    levels: Sequence[Level],
) -> None:
    """Set ``due_at``, ``warn_at``, ``levels_at`` and ``next_check_at`` for a running timer
    (a paused one has no due time; a finished one is left with the due time it had)."""
    if timer.fulfilled_at is not None or timer.stopped_at is not None:
        timer.next_check_at = None
        return
    if timer.paused_at is not None:
        timer.due_at = timer.warn_at = timer.next_check_at = None
        timer.levels_at = []
        return
    clock = calendar if timer.business_hours else BusinessCalendar.always_open()
    budget = timer.minutes * 60 - timer.used_seconds
    anchor = timer.anchor_at
    due = _after(clock, anchor, budget)
    timer.due_at = due
    warning = warning_minutes * 60
    timer.warn_at = _after(clock, anchor, budget - warning) if warning else None
    instants: list[list[object]] = []
    for level in levels:
        if level.minutes == 0:
            at = due
        elif level.minutes > 0:
            at = clock.add_business_minutes(due, level.minutes)
        else:
            at = _after(clock, anchor, budget + level.minutes * 60)
        instants.append([level.level, at.isoformat()])
    timer.levels_at = instants
    timer.next_check_at = next_check(timer)


def next_check(timer: SlaTimer) -> dt.datetime | None:
    """The earliest step still to come: warning, breach or the next escalation level."""
    if timer.fulfilled_at is not None or timer.stopped_at is not None or timer.paused_at:
        return None
    steps: list[dt.datetime] = []
    if timer.warn_at is not None and timer.warned_at is None and timer.breached_at is None:
        steps.append(timer.warn_at)
    if timer.due_at is not None and timer.breached_at is None:
        steps.append(timer.due_at)
    steps.extend(at for level, at in level_instants(timer) if level > timer.escalated_level)
    return min(steps) if steps else None


def level_instants(timer: SlaTimer) -> list[tuple[int, dt.datetime]]:
    return [(int(level), dt.datetime.fromisoformat(str(at))) for level, at in timer.levels_at]
