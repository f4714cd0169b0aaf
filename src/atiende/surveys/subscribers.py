"""Ask for a rating each time a ticket enters a solved status (inside the change's
transaction: the survey request commits or rolls back with the solving)."""

from __future__ import annotations

from atiende.core.event_types import JSONValue, TicketUpdated
from atiende.core.events import subscribe
from atiende.surveys import services
from atiende.tickets import config_cache
from atiende.tickets.models import StatusCategory

DONE = (StatusCategory.SOLVED, StatusCategory.CLOSED, StatusCategory.CANCELLED)


def _category(value: JSONValue) -> str | None:
    key = value.get("key") if isinstance(value, dict) else value
    found = next((s for s in config_cache.statuses() if s.key == key), None)
    return str(found.category) if found is not None else None


@subscribe(TicketUpdated, in_transaction=True)
def ask_when_solved(event: TicketUpdated) -> None:
    if "status" not in event.fields:
        return
    change = next((c for c in event.changes if c.field == "status"), None)
    if change is None or _category(change.new) != StatusCategory.SOLVED:
        return
    if _category(change.old) in DONE:
        return
    services.ask_after_resolution(event.ticket_id)
