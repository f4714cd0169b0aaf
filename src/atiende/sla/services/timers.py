"""Keeping each ticket's SLA timers in step with its events, inside the ticket's transaction.

Called by ``sla.subscribers`` on ``TicketCreated``, ``TicketUpdated`` and ``MessageAdded``:
the first matching active policy (by order) gives a target per kind for the ticket's priority;
a change of the fields policies read re-matches; a status of a paused kind pauses the clocks and
leaving it resumes them with the time that was left; solved or closed fulfils resolution and
stops the rest; an agent's public reply fulfils first and next reply and restarts the periodic
update; a customer's message starts next reply. The earliest due time per target is mirrored
on the ticket's indexed columns through ``tickets.services.sla.set_due_times``.

Per event: the ticket (one indexed row), its tags when a policy could need them, its timers
(one indexed read) — policies and calendars come from the per-process snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.core.references import hold
from atiende.sla import cache, clock, store
from atiende.sla.calendars import BusinessCalendar
from atiende.sla.conditions import TicketFacts
from atiende.sla.models import SlaPolicy, SlaTimer, TargetKind
from atiende.sla.selectors import (
    Policy,
    active_policies,
    any_policy,
    calendar_for,
    match_policy,
    may_cover_channel,
)
from atiende.tickets import config_cache
from atiende.tickets.models import StatusCategory, Ticket
from atiende.tickets.selectors import tag_names_for_rules, ticket_for_rules
from atiende.tickets.services.sla import set_due_times

SYSTEM = Actor.system("sla")
DEFAULT_PAUSED = ("pending", "on_hold")  # status categories (or keys) that stop the clock
DONE = (StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED)
# Ticket fields SLA policy conditions read, as ``TicketUpdated.fields`` names them.
MATCH_FIELDS = frozenset(
    {"priority", "group", "organization", "requester", "tags", "type", "category", "channel"}
)
# Kinds a ticket has from its start (next reply begins with a customer's message).
FROM_START = (TargetKind.FIRST_REPLY, TargetKind.RESOLUTION, TargetKind.PERIODIC_UPDATE)
# What a sync may change on a timer (one UPDATE for all the ticket's changed timers).
TIMER_FIELDS = [
    f.name
    for f in SlaTimer._meta.concrete_fields
    if not f.primary_key and f.name not in ("ticket", "kind")
]
# Kinds that start again when a solved ticket is reopened.
REOPEN_RESTARTS = (TargetKind.RESOLUTION, TargetKind.PERIODIC_UPDATE)


def paused_statuses() -> frozenset[str]:
    """Status categories or keys that stop the clock (setting ``ATIENDE_SLA_PAUSED_STATUSES``)."""
    return frozenset(getattr(settings, "ATIENDE_SLA_PAUSED_STATUSES", DEFAULT_PAUSED))


def needs_rematch(fields: Iterable[str]) -> bool:
    return any(f in MATCH_FIELDS or f.startswith("custom_fields.") for f in fields)


def sync(
    ticket_id: int,
    *,
    created: bool = False,
    rematch: bool = False,
    agent_reply: bool = False,
    customer_message: bool = False,
    channel: str = "",
    now: dt.datetime | None = None,
) -> None:
    """Bring the ticket's timers up to date with what just happened to it.

    A ticket being opened (``created``, with its ``channel``) that no active policy could
    cover has no timer to start: nothing is read.

    A policy another process deleted may still be in this process's snapshot: then nothing is
    written, the snapshot is read again and the ticket matched against what remains (twice at
    most: a second deletion in between leaves the timers as they were until the next event).
    """
    if created and channel and not may_cover_channel(channel):
        return
    now = now or timezone.now()
    for _attempt in range(2):
        if _sync(ticket_id, created, rematch, agent_reply, customer_message, now):
            return
        cache.clear()


def _sync(
    ticket_id: int,
    created: bool,
    rematch: bool,
    agent_reply: bool,
    customer_message: bool,
    now: dt.datetime,
) -> bool:
    """``sync`` on this snapshot; False, with nothing written, when a policy it names is gone."""
    if not any_policy():
        return True  # no SLA configured: no query at all
    ticket = ticket_for_rules(ticket_id)
    if ticket is None:
        return True
    # A ticket being opened has no timers yet: no query for them (every create pays it).
    timers = {} if created else {t.kind: t for t in store.ticket_timers(ticket_id)}
    if not timers and not active_policies():
        return True
    loaded = {kind: t.policy_id for kind, t in timers.items()}
    policy = _policy(ticket, timers, rematch=created or rematch)
    category, key = _status(ticket)
    done = category in DONE
    paused = category in paused_statuses() or key in paused_statuses()
    changed: dict[str, SlaTimer] = {}

    def touch(timer: SlaTimer) -> SlaTimer:
        changed[timer.kind] = timer
        return timer

    for kind in TargetKind.values:
        target = policy.targets.get((ticket.priority_id, kind)) if policy else None
        timer = timers.get(kind)
        if target is None or policy is None:
            if timer is not None and _active(timer):
                _stop(touch(timer), now)
            continue
        minutes, business = target
        if timer is not None and (
            timer.policy_id != policy.id
            or timer.minutes != minutes
            or timer.business_hours != business
        ):
            timer.policy_id, timer.minutes, timer.business_hours = policy.id, minutes, business
            touch(timer)
        if timer is None and kind in FROM_START and not done:
            if kind == TargetKind.FIRST_REPLY and ticket.first_response_at is not None:
                continue
            timer = SlaTimer(ticket_id=ticket_id, kind=kind, policy_id=policy.id)
            timer.minutes, timer.business_hours = minutes, business
            _restart(timer, ticket.created_at if kind != TargetKind.PERIODIC_UPDATE else now)
            timers[kind] = touch(timer)

    if agent_reply:
        for kind in (TargetKind.FIRST_REPLY, TargetKind.NEXT_REPLY):
            if (timer := timers.get(kind)) is not None and _active(timer):
                timer.fulfilled_at = now
                touch(timer)
        periodic = timers.get(TargetKind.PERIODIC_UPDATE)
        if (
            periodic is not None
            and not done
            and policy is not None
            and (ticket.priority_id, TargetKind.PERIODIC_UPDATE) in policy.targets
        ):
            _restart(touch(periodic), now)
    if customer_message and policy is not None and not done:
        first = timers.get(TargetKind.FIRST_REPLY)
        target = policy.targets.get((ticket.priority_id, TargetKind.NEXT_REPLY))
        waiting = first is not None and first.fulfilled_at is None and first.stopped_at is None
        timer = timers.get(TargetKind.NEXT_REPLY)
        if target is not None and not waiting and (timer is None or not _active(timer)):
            if timer is None:
                timer = SlaTimer(ticket_id=ticket_id, kind=TargetKind.NEXT_REPLY)
            timer.policy_id, (timer.minutes, timer.business_hours) = policy.id, target
            _restart(timer, now)
            timers[timer.kind] = touch(timer)

    for timer in timers.values():
        if done and _active(timer):
            if timer.kind == TargetKind.RESOLUTION and category != StatusCategory.CANCELLED:
                timer.fulfilled_at = now
            else:
                _stop(timer, now)
            touch(timer)
        elif paused and _active(timer) and timer.paused_at is None:
            _pause(touch(timer), ticket, policy, now)
        elif not paused and not done and timer.paused_at is not None and _active(timer):
            timer.anchor_at, timer.paused_at = now, None
            touch(timer)
        elif (
            not done
            and timer.kind in REOPEN_RESTARTS
            and not _active(timer)
            and policy is not None
            and (ticket.priority_id, timer.kind) in policy.targets
        ):
            # Reopened (only solving ends these while the target stands): new clocks.
            timer.policy_id, (timer.minutes, timer.business_hours) = (
                policy.id,
                policy.targets[(ticket.priority_id, timer.kind)],
            )
            _restart(touch(timer), now)
            if paused:
                _pause(timer, ticket, policy, now)

    # A new reference to a policy (a new timer, or one moved to another policy) is checked.
    referred = {t.policy_id for t in changed.values() if t.policy_id != loaded.get(t.kind)}
    if referred and hold(SlaPolicy, referred) != referred:
        return False
    for timer in changed.values():
        if timer.policy_id is not None and (policy is None or timer.policy_id == policy.id):
            _schedule(timer, ticket, policy)
        else:
            timer.next_check_at = None
    store.save_timers(list(changed.values()), TIMER_FIELDS)
    _mirror(ticket, timers.values())
    return True


def _policy(ticket: Ticket, timers: dict[str, SlaTimer], *, rematch: bool) -> Policy | None:
    current = {p.id: p for p in active_policies()}
    running = next((t.policy_id for t in timers.values() if _active(t)), None)
    if not rematch and running in current:
        return current[running]
    return match_policy(_facts(ticket))


def _facts(ticket: Ticket) -> TicketFacts:
    priority = config_cache.find_priority(ticket.priority_id)
    return TicketFacts(
        priority=priority.key if priority is not None else "",
        group=ticket.group_id,
        organization=ticket.organization_id,
        customer=ticket.requester_id,
        channel=ticket.channel,
        type=ticket.type,
        category=ticket.category_id,
        tags=frozenset(tag_names_for_rules(ticket.pk)) if _policies_read_tags() else frozenset(),
        custom_fields=ticket.custom_fields or {},
    )


def _policies_read_tags() -> bool:
    return any(c.get("field") == "tags" for p in active_policies() for c in p.conditions)


def _status(ticket: Ticket) -> tuple[str, str]:
    status = config_cache.find_status(ticket.status_id)
    return (status.category, status.key) if status is not None else ("", "")


def _active(timer: SlaTimer) -> bool:
    return timer.fulfilled_at is None and timer.stopped_at is None


def _restart(timer: SlaTimer, at: dt.datetime) -> None:
    timer.started_at = timer.anchor_at = at
    timer.used_seconds = 0
    timer.paused_at = timer.warned_at = timer.breached_at = None
    timer.fulfilled_at = timer.stopped_at = None
    timer.escalated_level = 0


def _stop(timer: SlaTimer, now: dt.datetime) -> None:
    timer.stopped_at = now
    timer.next_check_at = None


def _pause(timer: SlaTimer, ticket: Ticket, policy: Policy | None, now: dt.datetime) -> None:
    """Stop the clock, keeping the business time used so far."""
    if now > timer.anchor_at:
        used = _calendar(timer, ticket, policy).business_time_between(timer.anchor_at, now)
        timer.used_seconds += used.total_seconds()
    timer.paused_at = now


def _calendar(timer: SlaTimer, ticket: Ticket, policy: Policy | None) -> BusinessCalendar:
    if not timer.business_hours or policy is None:
        return BusinessCalendar.always_open()
    return calendar_for(policy, ticket.group_id)


def _schedule(timer: SlaTimer, ticket: Ticket, policy: Policy | None) -> None:
    clock.schedule(
        timer,
        calendar=_calendar(timer, ticket, policy),
        warning_minutes=policy.warning_minutes if policy else 0,
        levels=policy.levels.get(timer.kind, ()) if policy else (),
    )


def _mirror(ticket: Ticket, timers: Iterable[SlaTimer]) -> None:
    timers = list(timers)
    """Write the earliest due per target on the ticket, unless it already holds them."""
    due: dict[str, dt.datetime | None] = dict.fromkeys(TargetKind.values)
    for timer in timers:
        if _active(timer) and timer.paused_at is None:
            due[timer.kind] = timer.due_at
    replies = [d for d in (due[TargetKind.NEXT_REPLY], due[TargetKind.PERIODIC_UPDATE]) if d]
    wanted = (
        due[TargetKind.FIRST_REPLY],
        min(replies) if replies else None,
        due[TargetKind.RESOLUTION],
    )
    # Paused: some clock is stopped by a paused status and none is running.
    running = [t for t in timers if _active(t)]
    paused = bool(running) and all(t.paused_at is not None for t in running)
    held = (ticket.first_response_due_at, ticket.next_response_due_at, ticket.resolution_due_at)
    if wanted == held and paused == ticket.sla_paused:
        return
    set_due_times(
        SYSTEM,
        ticket_id=ticket.pk,
        first_response_due_at=wanted[0],
        next_response_due_at=wanted[1],
        resolution_due_at=wanted[2],
        paused=paused,
    )
