"""The SLA sweep: warnings, breaches and escalation levels that have come due.

Reads only timers with ``next_check_at <= now`` through a partial index, in bounded batches;
each step is recorded once per timer (``warned_at``, ``breached_at``, ``escalated_level``) in
the same transaction that publishes its event and writes the ticket's history, and rows are
locked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers), so two sweeps
running at once never announce a step twice. A batch costs a handful of statements whatever
its size: one read, one insert of history rows, one update of the timers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone

from atiende.core.actor import Actor, Source
from atiende.core.event_types import JSONValue, SlaBreached, SlaEscalated, SlaWarning
from atiende.core.events import publish
from atiende.sla import clock, escalation, store
from atiende.sla.models import SlaPolicy, SlaTimer
from atiende.sla.selectors import Level, active_policies, policy_by_id
from atiende.tickets.services.sla import SlaHistory, record_sla_events

BATCH = 1000


def sla_actor(policy_id: int) -> Actor:
    """Who acts for an SLA policy: the history names it as ``sla:<policy id>``."""
    return Actor(user=None, source=Source.RULE, detail=f"sla:{policy_id}")


@dataclass
class _Batch:
    history: list[SlaHistory] = field(default_factory=list)
    events: list[object] = field(default_factory=list)
    missing: dict[tuple[int, str, int], list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)


def _policy_names(timers: list[SlaTimer]) -> dict[int, str]:
    """Each timer's policy name: from the snapshot, or (an inactive policy) one query."""
    names = {p.id: p.name for p in active_policies()}
    missing = {t.policy_id for t in timers} - set(names)
    if missing:
        names.update(SlaPolicy.objects.filter(pk__in=missing).values_list("pk", "name"))
    return names


def sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Process one batch of due timers; the number processed (less than ``batch``: done)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            SlaTimer.objects.select_for_update(skip_locked=True)
            .filter(next_check_at__lte=now)
            .order_by("next_check_at")[:batch]
        )
        work = _Batch(names=_policy_names(due))
        for timer in due:
            _process(timer, now, work)
        record_sla_events(work.history)
        store.write_swept(due)
        for event in work.events:
            publish(event)
    return len(due)


def sweep_all(*, now: dt.datetime | None = None, max_batches: int = 100) -> int:
    """Sweep batch after batch until none is full (the scheduler's minute job)."""
    total = 0
    for _ in range(max_batches):
        done = sweep(now=now)
        total += done
        if done < BATCH:
            break
    return total


class _Fields(TypedDict):
    ticket_id: int
    policy_id: int
    target: str
    source: str
    source_detail: str


def _fields(timer: SlaTimer) -> _Fields:
    return {
        "ticket_id": timer.ticket_id,
        "policy_id": timer.policy_id,
        "target": timer.kind,
        "source": Source.RULE.value,
        "source_detail": sla_actor(timer.policy_id).detail,
    }


def _process(timer: SlaTimer, now: dt.datetime, work: _Batch) -> None:
    policy = policy_by_id(timer.policy_id)
    if policy is None:
        # Its policy was deactivated: the ticket's next event matches it again; until then
        # nothing is announced in the name of a policy that is off.
        timer.next_check_at = None
        return
    actor = sla_actor(timer.policy_id)
    due_at = timer.due_at.isoformat() if timer.due_at else ""
    base: dict[str, Any] = {
        "policy": {"id": timer.policy_id, "name": work.names.get(timer.policy_id, "")},
        "due_at": due_at,
    }

    def note(action: str, details: dict[str, Any]) -> None:
        work.history.append(SlaHistory(timer.ticket_id, actor, action, timer.kind, details))

    if (
        timer.warn_at is not None
        and timer.warned_at is None
        and timer.breached_at is None
        and timer.warn_at <= now
    ):
        timer.warned_at = now
        note("sla_warning", base)
        work.events.append(SlaWarning(due_at=due_at, **_fields(timer)))
    if timer.due_at is not None and timer.breached_at is None and timer.due_at <= now:
        timer.breached_at = now
        note("sla_breached", base)
        work.events.append(SlaBreached(due_at=due_at, **_fields(timer)))
    levels = {level.level: level for level in policy.levels.get(timer.kind, ())}
    for number, at in clock.level_instants(timer):
        if number <= timer.escalated_level or at > now:
            continue
        timer.escalated_level = number
        level = levels.get(number)
        if level is None:
            continue  # the level was removed since the timer was scheduled
        details = {**base, "level": number}
        missing = _missing(work, timer, level)
        if missing:
            note("sla_escalation_skipped", {**details, "missing_groups": missing})
            continue
        actions: tuple[JSONValue, ...] = tuple(dict(action) for action in level.actions)
        note("sla_escalated", {**details, "actions": list(actions)})
        work.events.append(SlaEscalated(level=number, actions=actions, **_fields(timer)))
    timer.next_check_at = clock.next_check(timer)


def _missing(work: _Batch, timer: SlaTimer, level: Level) -> list[int]:
    """The group ids a level moves tickets to that are gone (asked once per level a batch)."""
    key = (timer.policy_id, timer.kind, level.level)
    if key not in work.missing:
        work.missing[key] = [
            level.actions[index]["value"] for index in escalation.missing_groups(level.actions)
        ]
    return work.missing[key]
