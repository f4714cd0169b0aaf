"""Deleting a ticket for good: spam, test data, an erasure request. Administrators only."""

from __future__ import annotations

from django.db import transaction

from atiende.core.actor import Actor
from atiende.core.event_types import TicketDeleted
from atiende.core.events import publish
from atiende.core.permissions import require_admin
from atiende.tickets import store, tally
from atiende.tickets.locks import lock_visible_ticket


@transaction.atomic
@tally.deferred()
def delete_ticket(actor: Actor, *, ticket_id: int) -> None:
    """Delete the ticket with its messages, attachments' rows, history and links.

    The inbox counts lose it in the same transaction. Merging or closing is the usual way to
    retire a ticket; this one leaves no trace but its ``TicketDeleted`` event, so only
    administrators (and the system) may.
    """
    require_admin(actor)
    ticket = lock_visible_ticket(actor, ticket_id)
    was = tally.key_of(ticket)
    store.delete_ticket(ticket)
    tally.move(was, None, using=ticket._state.db or store.alias())
    publish(
        TicketDeleted(
            ticket_id=ticket_id,
            number=ticket.number,
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )
