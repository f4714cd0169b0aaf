"""/sla-policies: ordered SLA policies with targets, conditions and escalation levels, and
/tickets/{id}/sla: a ticket's running clocks.

Staff read policies; only administrators change them. Every bad part (a target of zero
minutes, an unknown condition field, an escalation to a deleted group) is a 422 naming it,
and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.sla import (
    PolicyCreateIn,
    PolicyOut,
    PolicyPage,
    PolicyUpdateIn,
    ReorderIn,
    TicketSlaOut,
)
from atiende.api.writes import once, page
from atiende.core.permissions import require_staff
from atiende.sla import config_selectors as selectors
from atiende.sla.selectors import ticket_timers
from atiende.sla.services import policies as services
from atiende.tickets.selectors import get_ticket

router = Router(tags=["sla"])


@router.get("/sla-policies", response={200: PolicyPage, **errors(403, 422)})
def list_policies(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Policies in the order they are tried: the first active one that matches applies."""
    return page(selectors.list_policies(actor(request), **filters.model_dump()))


@router.post("/sla-policies", response={201: PolicyOut, **errors(403, 409, 422)})
def create_policy(request: HttpRequest, payload: PolicyCreateIn) -> HttpResponse:
    """Create a policy with its targets (per priority and kind) and escalation levels."""
    fields = payload.model_dump()

    def make(caller: Any) -> Any:
        policy = services.create_policy(caller, **fields)
        return selectors.get_policy(caller, policy.pk)

    return once(request, 201, make, PolicyOut)


@router.post("/sla-policies/reorder", response={200: PolicyPage, **errors(403, 422)})
def reorder_policies(request: HttpRequest, payload: ReorderIn) -> HttpResponse:
    """Put the policies in the order of ``ids`` (every policy, once); answers the first page."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        services.reorder_policies(caller, ids=payload.ids)
        found = selectors.list_policies(caller, limit=100, cursor=None)
        items = [PolicyOut.from_orm(p).model_dump() for p in found.items]
        return 200, {"items": items, "next_cursor": found.next_cursor}

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/sla-policies/{policy_id}", response={200: PolicyOut, **errors(403, 404, 422)})
def read_policy(request: HttpRequest, policy_id: Id) -> Any:
    return selectors.get_policy(actor(request), policy_id)


@router.patch("/sla-policies/{policy_id}", response={200: PolicyOut, **errors(403, 404, 409, 422)})
def update_policy(request: HttpRequest, policy_id: Id, payload: PolicyUpdateIn) -> Any:
    """Change the fields given; ``targets`` and ``escalations`` replace the old ones. Running
    timers take the new targets at the ticket's next event."""
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    services.update_policy(caller, policy_id=policy_id, changes=changes)
    return selectors.get_policy(caller, policy_id)


@router.delete("/sla-policies/{policy_id}", response={204: None, **errors(403, 404, 422)})
def delete_policy(request: HttpRequest, policy_id: Id) -> Status[None]:
    """Delete a policy with its timers; tickets match again on their next event."""
    services.delete_policy(actor(request), policy_id=policy_id)
    return Status(204, None)


@router.get("/tickets/{ticket_id}/sla", response={200: TicketSlaOut, **errors(403, 404, 422)})
def ticket_sla(request: HttpRequest, ticket_id: Id) -> Any:
    """The ticket's SLA clocks (running first): target, policy, due time, state, breached.
    Staff only; a ticket you cannot see is a 404."""
    caller = actor(request)
    ticket = get_ticket(caller, ticket_id)
    require_staff(caller)
    return {"ticket_id": ticket.pk, "timers": ticket_timers(ticket.pk)}
