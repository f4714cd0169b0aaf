"""Keep the search index in step with tickets, inside the transaction that changes them."""

from __future__ import annotations

from atiende.core.events import subscribe
from atiende.search.tickets import index_ticket, index_tickets
from atiende.tickets.events import MessageAdded, TicketCreated, TicketsMerged, TicketUpdated

# Only these changes alter what a ticket's document holds (merges move messages).
DOCUMENT_FIELDS = frozenset({"subject", "merged_into", "merged_from"})


@subscribe(TicketCreated, in_transaction=True)
def index_new_ticket(event: TicketCreated) -> None:
    index_ticket(event.ticket_id)


@subscribe(MessageAdded, in_transaction=True)
def index_new_message(event: MessageAdded) -> None:
    index_ticket(event.ticket_id)


@subscribe(TicketUpdated, in_transaction=True)
def index_updated_ticket(event: TicketUpdated) -> None:
    if DOCUMENT_FIELDS.intersection(event.fields):
        index_ticket(event.ticket_id)


@subscribe(TicketsMerged, in_transaction=True)
def index_merged_tickets(event: TicketsMerged) -> None:
    """The source's messages moved to the target: both documents changed."""
    index_tickets([event.source_id, event.target_id])
