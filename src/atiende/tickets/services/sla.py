"""Writes the SLA engine (``atiende.sla``) makes to tickets: due times and history entries.

The sla app sits above tickets and may not touch the ticket store, so these two services are
its only way in. Neither bumps the ticket's ``version`` nor publishes ``TicketUpdated``: due
times are derived data the SLA subscribers recompute on every ticket event, and announcing them
as a change would set the subscribers off again (a loop) and make every agent's open edit stale.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from atiende.core.actor import Actor
from atiende.tickets import audit, store
from atiende.tickets.errors import TicketNotFound

DUE_FIELDS = ("first_response_due_at", "next_response_due_at", "resolution_due_at")


@transaction.atomic
def set_due_times(
    actor: Actor,
    *,
    ticket_id: int,
    first_response_due_at: dt.datetime | None,
    next_response_due_at: dt.datetime | None,
    resolution_due_at: dt.datetime | None,
) -> bool:
    """Mirror the SLA timers' due times on the ticket's indexed columns; ``True`` if any
    changed. Only the system (the SLA engine) calls this."""
    if not actor.is_system:
        raise TicketNotFound()
    ticket = store.lock_ticket(ticket_id)
    if ticket is None:
        raise TicketNotFound()
    wanted = {
        "first_response_due_at": first_response_due_at,
        "next_response_due_at": next_response_due_at,
        "resolution_due_at": resolution_due_at,
    }
    fields = [name for name, value in wanted.items() if getattr(ticket, name) != value]
    if not fields:
        return False
    for name in fields:
        setattr(ticket, name, wanted[name])
    store.write_ticket(ticket, fields)
    return True


@transaction.atomic
def record_sla_event(
    actor: Actor, *, ticket_id: int, action: str, target: str, details: dict[str, Any]
) -> None:
    """One history entry for an SLA step (``sla_warning``, ``sla_breached``,
    ``sla_escalated``, ``sla_escalation_skipped``) on target ``target``; the actor's detail
    (``sla:<policy id>``) names the policy, ``details`` what the ticket page shows."""
    if not actor.is_system:
        raise TicketNotFound()
    ticket = store.ticket_by_id(ticket_id)
    if ticket is None:
        raise TicketNotFound()
    audit.record([audit.event(ticket, actor, action, field=target, new=details)])
