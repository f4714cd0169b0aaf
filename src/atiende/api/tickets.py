"""/tickets: list, create, read, update, merge and the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from atiende.accounts.selectors import get_user
from atiende.accounts.services import find_or_create_customer
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.errors import render_extra
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.tickets import (
    EventOut,
    MergeIn,
    TicketCreateIn,
    TicketFiltersIn,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
)
from atiende.tickets import selectors, services
from atiende.tickets.listing import TicketFilters, list_tickets
from atiende.tickets.models import Channel, Ticket

router = Router(tags=["tickets"])


def ticket_out(ticket: Ticket) -> TicketOut:
    return TicketOut.from_orm(ticket)


render_extra(
    "ticket", lambda request, ticket: {"current": ticket_out(ticket).model_dump(mode="json")}
)


@router.get("", response={200: TicketPage, **errors(422)})
def list_(request: HttpRequest, filters: Query[TicketFiltersIn]) -> dict[str, Any]:
    """Tickets you can see, newest first by default; follow ``next_cursor`` for more."""
    params = filters.model_dump(exclude={"sort", "limit", "cursor"})
    page = list_tickets(
        actor(request),
        TicketFilters(**params),
        sort=filters.sort,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: TicketOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: TicketCreateIn) -> HttpResponse:
    """Open a ticket. Send an ``Idempotency-Key`` header to make retries safe."""
    caller = actor(request)

    def handler() -> tuple[int, TicketOut]:
        if payload.requester is not None:
            requester = find_or_create_customer(
                caller, email=payload.requester.email, name=payload.requester.name
            )
        elif payload.requester_id is not None:
            requester = get_user(caller, payload.requester_id, field="requester_id")
        else:
            assert caller.user is not None
            requester = caller.user
        ticket = services.open_ticket(
            caller,
            requester=requester,
            channel=payload.channel or Channel.API,
            **payload.model_dump(exclude={"requester", "requester_id", "channel"}),
        )
        return 201, ticket_out(selectors.get_ticket(caller, ticket.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{ticket_id}", response={200: TicketOut, **errors(404, 422)})
def read(request: HttpRequest, ticket_id: Id) -> TicketOut:
    return ticket_out(selectors.get_ticket(actor(request), ticket_id))


@router.patch("/{ticket_id}", response={200: TicketOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, ticket_id: Id, payload: TicketUpdateIn) -> TicketOut:
    """Change the fields given. ``version`` must be the one you saw, or the answer is 409."""
    caller = actor(request)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.update_ticket(caller, ticket_id=ticket_id, version=payload.version, changes=changes)
    return ticket_out(selectors.get_ticket(caller, ticket_id))


@router.post("/{ticket_id}/merge", response={200: TicketOut, **errors(403, 404, 409, 422)})
def merge(request: HttpRequest, ticket_id: Id, payload: MergeIn) -> HttpResponse:
    """Merge this ticket into ``target_id``; answers with the target."""
    caller = actor(request)

    def handler() -> tuple[int, TicketOut]:
        target = services.merge_tickets(caller, source_id=ticket_id, target_id=payload.target_id)
        return 200, ticket_out(selectors.get_ticket(caller, target.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{ticket_id}/events", response={200: list[EventOut], **errors(403, 404, 422)})
def events(request: HttpRequest, ticket_id: Id) -> list[Any]:
    """The audit trail: every change, who made it, through which source. Agents only."""
    return list(selectors.ticket_events(actor(request), ticket_id))
