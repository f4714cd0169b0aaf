"""Who gets told what: domain events about tickets become notifications."""

from __future__ import annotations

from atiende.core.actor import Actor
from atiende.core.events import subscribe
from atiende.notifications.models import Kind
from atiende.notifications.services import notify
from atiende.tickets.events import AgentsMentioned, MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.models import Direction
from atiende.tickets.selectors import visible_tickets

READER = Actor.system("notifications")


def _assignee(ticket_id: int) -> int | None:
    row = visible_tickets(READER).filter(pk=ticket_id).values_list("assignee_id").first()
    return row[0] if row is not None else None


@subscribe(TicketCreated)
def notify_assigned_on_creation(event: TicketCreated) -> None:
    """A ticket opened already assigned tells its assignee (unless they opened it)."""
    assignee = event.assignee_id
    if assignee is not None:
        notify(
            kind=Kind.ASSIGNED,
            ticket_id=event.ticket_id,
            recipient_ids=[assignee],
            actor_id=event.actor_id,
        )


@subscribe(TicketUpdated)
def notify_assigned(event: TicketUpdated) -> None:
    """A new assignee is told, unless they assigned the ticket to themselves."""
    if "assignee" not in event.fields:
        return
    assignee = _assignee(event.ticket_id)
    if assignee is not None:
        notify(
            kind=Kind.ASSIGNED,
            ticket_id=event.ticket_id,
            recipient_ids=[assignee],
            actor_id=event.actor_id,
        )


@subscribe(AgentsMentioned)
def notify_mentioned(event: AgentsMentioned) -> None:
    notify(
        kind=Kind.MENTIONED,
        ticket_id=event.ticket_id,
        recipient_ids=event.user_ids,
        actor_id=event.actor_id,
    )


@subscribe(MessageAdded)
def notify_customer_replied(event: MessageAdded) -> None:
    """A customer's message tells the assignee and the ticket's followers."""
    if event.direction != Direction.INBOUND:
        return
    rows = (
        visible_tickets(READER).filter(pk=event.ticket_id).values_list("assignee_id", "followers")
    )
    recipients = {pk for row in rows for pk in row if pk is not None}
    notify(
        kind=Kind.CUSTOMER_REPLIED,
        ticket_id=event.ticket_id,
        recipient_ids=recipients,
        actor_id=event.actor_id,
    )
