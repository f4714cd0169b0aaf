"""Recompute a ticket's SLA timers inside the transaction of every change that moves them.

In the transaction (not after the commit): the due times on the ticket commit or roll back
with the change that set them, and the sweep never sees a ticket whose timers lag behind it.
"""

from __future__ import annotations

from atiende.core.event_types import MessageAdded, TicketCreated, TicketUpdated
from atiende.core.events import subscribe
from atiende.sla.services.timers import needs_rematch, sync

INBOUND = "in"
OUTBOUND = "out"


@subscribe(TicketCreated, in_transaction=True)
def start_timers(event: TicketCreated) -> None:
    sync(event.ticket_id, created=True, channel=event.channel)


@subscribe(TicketUpdated, in_transaction=True)
def follow_update(event: TicketUpdated) -> None:
    rematch = needs_rematch(event.fields)
    if rematch or "status" in event.fields:
        sync(event.ticket_id, rematch=rematch)


@subscribe(MessageAdded, in_transaction=True)
def follow_message(event: MessageAdded) -> None:
    if not event.public:
        return
    agent_reply = event.direction == OUTBOUND and event.actor_id is not None
    customer_message = event.direction == INBOUND
    if agent_reply or customer_message:
        sync(event.ticket_id, agent_reply=agent_reply, customer_message=customer_message)
