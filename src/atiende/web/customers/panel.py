"""The customer panel beside a ticket's conversation (built out by the customers area)."""

from __future__ import annotations

from typing import Any

from atiende.accounts.models import User
from atiende.core.actor import Actor


def customer_panel(
    actor: Actor, customer: User, *, current_ticket_id: int | None = None
) -> dict[str, Any]:
    """Context for ``web/customers/_panel.html``: who the customer is and their other tickets."""
    return {"customer": customer, "current_ticket_id": current_ticket_id}
