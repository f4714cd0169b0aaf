"""Building a ticket event from what a service recorded, so history and event always agree."""

from __future__ import annotations

from collections.abc import Iterable

from atiende.core.actor import Actor
from atiende.core.event_types import FieldChange, TicketUpdated
from atiende.tickets.models import TicketEvent


def ticket_updated(actor: Actor, ticket_id: int, records: Iterable[TicketEvent]) -> TicketUpdated:
    """The ``TicketUpdated`` for ``records`` (the audit rows of one ticket's change): one
    ``FieldChange`` per record, with the old and new values exactly as the history shows them."""
    changes = tuple(
        FieldChange(field=record.field, old=record.old_value, new=record.new_value)
        for record in records
    )
    return TicketUpdated(
        ticket_id=ticket_id,
        actor_id=actor.user_id,
        source=actor.source.value,
        fields=tuple(dict.fromkeys(change.field for change in changes)),
        changes=changes,
        source_detail=actor.detail,
    )
