"""The SLA sweep: warnings, breaches and escalation levels that have come due.

Reads only timers with ``next_check_at <= now`` through a partial index, in bounded batches;
each step is recorded once per timer (``warned_at``, ``breached_at``, ``escalated_level``) in
the same transaction that publishes its event and writes the ticket's history, and rows are
locked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite serialises writers), so two sweeps
running at once never announce a step twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict

from django.db import transaction
from django.utils import timezone

from atiende.core.actor import Actor, Source
from atiende.core.event_types import JSONValue, SlaBreached, SlaEscalated, SlaWarning
from atiende.core.events import publish
from atiende.sla import clock, escalation
from atiende.sla.models import SlaTimer
from atiende.sla.selectors import Level, policy_by_id
from atiende.tickets.services.sla import record_sla_event

BATCH = 500


def sla_actor(policy_id: int) -> Actor:
    """Who acts for an SLA policy: the history names it as ``sla:<policy id>``."""
    return Actor(user=None, source=Source.RULE, detail=f"sla:{policy_id}")


def sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Process one batch of due timers; the number processed (less than ``batch``: done)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            SlaTimer.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("policy")
            .filter(next_check_at__lte=now)
            .order_by("next_check_at")[:batch]
        )
        for timer in due:
            with transaction.atomic():
                _process(timer, now)
    return len(due)


def sweep_all(*, now: dt.datetime | None = None, max_batches: int = 100) -> int:
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


@dataclass(frozen=True)
class _Common:
    """What every SLA event of one timer carries."""

    ticket_id: int
    policy_id: int
    target: str
    source_detail: str

    def fields(self) -> _Fields:
        return {
            "ticket_id": self.ticket_id,
            "policy_id": self.policy_id,
            "target": self.target,
            "source": Source.RULE.value,
            "source_detail": self.source_detail,
        }


def _process(timer: SlaTimer, now: dt.datetime) -> None:
    actor = sla_actor(timer.policy_id)
    policy = policy_by_id(timer.policy_id)
    name = timer.policy.name
    due_at = timer.due_at.isoformat() if timer.due_at else ""
    base: dict[str, Any] = {"policy": {"id": timer.policy_id, "name": name}, "due_at": due_at}
    common = _Common(timer.ticket_id, timer.policy_id, timer.kind, actor.detail)
    if (
        timer.warn_at is not None
        and timer.warned_at is None
        and timer.breached_at is None
        and timer.warn_at <= now
    ):
        timer.warned_at = now
        _history(actor, timer, "sla_warning", base)
        publish(SlaWarning(due_at=due_at, **common.fields()))
    if timer.due_at is not None and timer.breached_at is None and timer.due_at <= now:
        timer.breached_at = now
        _history(actor, timer, "sla_breached", base)
        publish(SlaBreached(due_at=due_at, **common.fields()))
    levels = {level.level: level for level in (policy.levels.get(timer.kind, ()) if policy else ())}
    for number, at in clock.level_instants(timer):
        if number <= timer.escalated_level or at > now:
            continue
        timer.escalated_level = number
        level = levels.get(number)
        if level is None:
            continue  # the level was removed since the timer was scheduled
        _escalate(actor, timer, level, base, common)
    timer.next_check_at = clock.next_check(timer)
    timer.save(update_fields=["warned_at", "breached_at", "escalated_level", "next_check_at"])


def _escalate(
    actor: Actor,
    timer: SlaTimer,
    level: Level,
    base: dict[str, Any],
    common: _Common,
) -> None:
    """Announce a level, or skip it with a history note when a group it names is gone."""
    details = {**base, "level": level.level}
    missing = escalation.missing_groups(level.actions)
    if missing:
        groups = [level.actions[index].get("value") for index in missing]
        _history(actor, timer, "sla_escalation_skipped", {**details, "missing_groups": groups})
        return
    actions: tuple[JSONValue, ...] = tuple(dict(action) for action in level.actions)
    _history(actor, timer, "sla_escalated", {**details, "actions": list(actions)})
    publish(SlaEscalated(level=level.level, actions=actions, **common.fields()))


def _history(actor: Actor, timer: SlaTimer, action: str, details: dict[str, Any]) -> None:
    record_sla_event(
        actor, ticket_id=timer.ticket_id, action=action, target=timer.kind, details=details
    )
