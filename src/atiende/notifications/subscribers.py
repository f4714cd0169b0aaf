"""Who gets told what: domain events about tickets become notifications, through the outbox.

Each subscriber runs inside the change's transaction and writes one outbox row from the
event's own values; its handler reads what it needs after the commit and calls ``notify``.
Notifications are database rows only, so the outbox delivers each exactly once.
"""

from __future__ import annotations

from atiende.core.actor import Actor
from atiende.core.events import subscribe
from atiende.notifications.models import Kind
from atiende.notifications.services import notify
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.events import AgentsMentioned, MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.models import Direction
from atiende.tickets.selectors import visible_tickets

READER = Actor.system("notifications")

ASSIGNED = "notify.assigned"
MENTIONED = "notify.mentioned"
CUSTOMER_REPLIED = "notify.customer_replied"


def _assignee(ticket_id: int) -> int | None:
    row = visible_tickets(READER).filter(pk=ticket_id).values_list("assignee_id").first()
    return row[0] if row is not None else None


@subscribe(TicketCreated, in_transaction=True)
def assigned_on_creation(event: TicketCreated) -> None:
    """A ticket opened already assigned tells its assignee (unless they opened it)."""
    if event.assignee_id is not None:
        enqueue(
            ASSIGNED,
            payload={
                "ticket_id": event.ticket_id,
                "actor_id": event.actor_id,
                "assignee_id": event.assignee_id,
            },
        )


@subscribe(TicketUpdated, in_transaction=True)
def assigned(event: TicketUpdated) -> None:
    """A new assignee is told, unless they assigned the ticket to themselves."""
    if "assignee" in event.fields:
        enqueue(ASSIGNED, payload={"ticket_id": event.ticket_id, "actor_id": event.actor_id})


@handles(ASSIGNED)
def notify_assigned(effect: Delivery) -> None:
    """The assignee named in the effect, else the ticket's assignee once committed."""
    ticket_id = effect.payload["ticket_id"]
    assignee = effect.payload.get("assignee_id") or _assignee(ticket_id)
    if assignee is not None:
        notify(
            kind=Kind.ASSIGNED,
            ticket_id=ticket_id,
            recipient_ids=[assignee],
            actor_id=effect.payload["actor_id"],
        )


@subscribe(AgentsMentioned, in_transaction=True)
def mentioned(event: AgentsMentioned) -> None:
    enqueue(
        MENTIONED,
        payload={
            "ticket_id": event.ticket_id,
            "actor_id": event.actor_id,
            "user_ids": list(event.user_ids),
        },
    )


@handles(MENTIONED)
def notify_mentioned(effect: Delivery) -> None:
    notify(
        kind=Kind.MENTIONED,
        ticket_id=effect.payload["ticket_id"],
        recipient_ids=effect.payload["user_ids"],
        actor_id=effect.payload["actor_id"],
    )


@subscribe(MessageAdded, in_transaction=True)
def customer_replied(event: MessageAdded) -> None:
    if event.direction == Direction.INBOUND:
        enqueue(
            CUSTOMER_REPLIED, payload={"ticket_id": event.ticket_id, "actor_id": event.actor_id}
        )


@handles(CUSTOMER_REPLIED)
def notify_customer_replied(effect: Delivery) -> None:
    """A customer's message tells the assignee and the ticket's followers."""
    ticket_id = effect.payload["ticket_id"]
    rows = visible_tickets(READER).filter(pk=ticket_id).values_list("assignee_id", "followers")
    recipients = {pk for row in rows for pk in row if pk is not None}
    notify(
        kind=Kind.CUSTOMER_REPLIED,
        ticket_id=ticket_id,
        recipient_ids=recipients,
        actor_id=effect.payload["actor_id"],
    )
