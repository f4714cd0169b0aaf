"""Writes the SLA engine (``atiende.sla``) makes to tickets: due times and history entries.

The sla app sits above tickets and may not touch the ticket store, so these two services are
its only way in. Neither bumps the ticket's ``version`` nor publishes ``TicketUpdated``: due
times are derived data the SLA subscribers recompute on every ticket event, and announcing them
as a change would set the subscribers off again (a loop) and make every agent's open edit stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.tickets import audit, store
from atiende.tickets.errors import TicketNotFound


@transaction.atomic(savepoint=False)
def set_due_times(
    actor: Actor,
    *,
    ticket_id: int,
    first_response_due_at: dt.datetime | None,
    next_response_due_at: dt.datetime | None,
    resolution_due_at: dt.datetime | None,
    paused: bool = False,
) -> None:
    """Mirror the SLA timers' due times on the ticket's indexed columns. Only the system (the
    SLA engine) calls this, from inside the ticket's own write, which holds its row lock: one
    UPDATE, no read.

    ``sla_due_at`` (the next breach, which the inbox shows and sorts by) is the soonest of the
    three, written here so that it can never disagree with them; ``paused`` says the ticket's
    clocks are stopped (a paused status), which the inbox shows instead of a due time.
    """
    if not actor.is_system:
        raise TicketNotFound()
    due = [d for d in (first_response_due_at, next_response_due_at, resolution_due_at) if d]
    written = store.write_due_times(
        ticket_id,
        {
            "first_response_due_at": first_response_due_at,
            "next_response_due_at": next_response_due_at,
            "resolution_due_at": resolution_due_at,
            "sla_due_at": min(due) if due else None,
            "sla_paused": paused,
        },
    )
    if not written:
        raise TicketNotFound()


@dataclass(frozen=True)
class SlaHistory:
    """One SLA step for the ticket's history: ``action`` is ``sla_warning``, ``sla_breached``,
    ``sla_escalated`` or ``sla_escalation_skipped``; ``target`` the kind of target; the actor's
    detail (``sla:<policy id>``) names the policy; ``details`` is what the ticket page shows."""

    ticket_id: int
    actor: Actor
    action: str
    target: str
    details: dict[str, Any]


@transaction.atomic(savepoint=False)
def record_sla_events(entries: Sequence[SlaHistory]) -> None:
    """Write a batch of SLA history entries in one statement (the sweep's whole batch).

    The tickets are not loaded: the sweep read their ids from its own timers, in the same
    transaction, and a deleted ticket takes its timers with it.
    """
    rows = []
    for entry in entries:
        if not entry.actor.is_system:
            raise TicketNotFound()
        rows.append(
            store.SystemEvent(
                ticket_id=entry.ticket_id,
                source=entry.actor.source.value,
                source_detail=entry.actor.detail[:200],
                action=entry.action,
                field=entry.target,
                new_value=audit.snapshot(entry.details),
            )
        )
    store.insert_system_events(rows, now=timezone.now())
