"""/tickets: list, create, read, update, merge, bulk changes and the audit trail."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder

from atiende.accounts.selectors import get_user
from atiende.accounts.services import find_or_create_customer
from atiende.api import idempotency, ticket_json
from atiende.api.auth import actor
from atiende.api.body_format import bodies
from atiende.api.errors import render_extra
from atiende.api.schemas.bulk import BulkIn, BulkOut
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
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector
from atiende.tickets import custom_filters, selectors, services
from atiende.tickets.custom_filters import CustomFilter
from atiende.tickets.listing import TicketFilters, list_ticket_rows
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services.bulk import BulkChange, bulk_update

router = Router(tags=["tickets"])


def ticket_out(caller: Actor, ticket_id: int) -> dict[str, Any]:
    """A visible ticket as `TicketOut` data."""
    return ticket_json.document(visible_tickets(caller), ticket_id)


def as_json(data: Any, status: int = 200) -> HttpResponse:
    """JSON encoded as ninja encodes its own answers, for data built without a schema."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type="application/json"
    )


render_extra(
    "ticket",
    lambda request, ticket: {
        "current": json.loads(
            json.dumps(ticket_out(actor(request), ticket.pk), cls=NinjaJSONEncoder)
        )
    },
)


def custom_field_filters(given: list[str]) -> tuple[CustomFilter, ...]:
    """``key:value`` query values as checked custom field filters; bad ones are a 422."""
    errors = ErrorCollector()
    raw: dict[str, str] = {}
    for item in given:
        key, colon, value = item.partition(":")
        if not colon or not key.strip():
            errors.add("custom_field", _("Write each custom field filter as key:value."))
            continue
        raw[custom_filters.PREFIX + key.strip()] = value
    checked = custom_filters.clean_custom_filters(raw, errors, field="custom_field")
    errors.raise_if_any()
    return custom_filters.as_filters(checked)


@router.get("", response={200: TicketPage, **errors(422)})
def list_(request: HttpRequest, filters: Query[TicketFiltersIn]) -> HttpResponse:
    """Tickets you can see, newest first by default; follow ``next_cursor`` for more."""
    params = filters.model_dump(exclude={"sort", "limit", "cursor", "custom_field"})
    custom = custom_field_filters(filters.custom_field)
    page = list_ticket_rows(
        actor(request),
        TicketFilters(**params, custom=custom),
        ticket_json.COLUMNS,
        sort=filters.sort,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    items = ticket_json.documents(page.items)
    return as_json({"items": items, "next_cursor": page.next_cursor})


@router.post("", response={201: TicketOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: TicketCreateIn) -> HttpResponse:
    """Open a ticket. Send an ``Idempotency-Key`` header to make retries safe."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        if payload.requester is not None:
            requester = find_or_create_customer(
                caller, email=payload.requester.email, name=payload.requester.name
            )
        elif payload.requester_id is not None:
            requester = get_user(caller, payload.requester_id, field="requester_id")
        else:
            assert caller.user is not None
            requester = caller.user
        body, body_html = bodies(payload.format, payload.body, payload.body_html)
        # Only what the caller sent: a customer who sets a field they may not is refused.
        ticket = services.open_ticket(
            caller,
            requester=requester,
            body=body,
            body_html=body_html,
            **payload.model_dump(
                exclude={"requester", "requester_id", "format", "body", "body_html"},
                exclude_unset=True,
            ),
        )
        # Answered from the ticket just written (the tags, when there are any, read back).
        known: dict[int, list[str]] | None = None if payload.tags else {ticket.pk: []}
        return 201, ticket_json.documents([ticket_json.row_of(ticket)], tags=known)[0]

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post("/bulk", response={200: BulkOut, **errors(403, 422)})
def bulk(request: HttpRequest, payload: BulkIn) -> HttpResponse:
    """Apply one change to up to 500 tickets, each on its own: 200 with a result per ticket,
    whether it changed, or why not (a ticket you cannot see is reported as not found). A
    request-wide mistake (an unknown status, priority or merge target) is a 422 and changes
    nothing."""
    change = BulkChange(
        action=payload.action,
        assignee_id=payload.assignee_id,
        status=payload.status or "",
        priority=payload.priority or "",
        add_tags=tuple(payload.add_tags),
        remove_tags=tuple(payload.remove_tags),
        merge_target_id=payload.merge_target_id,
    )
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        result = bulk_update(caller, ticket_ids=payload.ids, change=change)
        return 200, bulk_answer(result)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


def bulk_answer(result: Any) -> dict[str, Any]:
    return {
        "updated": len(result.updated),
        "unchanged": len(result.unchanged),
        "failed": len(result.failed),
        "results": [
            {
                "ticket_id": r.ticket_id,
                "number": r.number,
                "ok": r.ok,
                "changed": r.changed,
                "code": r.code or None,
                "message": r.message or None,
            }
            for r in result.results
        ],
    }


@router.get("/{ticket_id}", response={200: TicketOut, **errors(404, 422)})
def read(request: HttpRequest, ticket_id: Id) -> HttpResponse:
    return as_json(ticket_out(actor(request), ticket_id))


@router.patch("/{ticket_id}", response={200: TicketOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, ticket_id: Id, payload: TicketUpdateIn) -> HttpResponse:
    """Change the fields given. ``version`` must be the one you saw, or the answer is 409."""
    caller = actor(request)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    services.update_ticket(caller, ticket_id=ticket_id, version=payload.version, changes=changes)
    return as_json(ticket_out(caller, ticket_id))


@router.post("/{ticket_id}/merge", response={200: TicketOut, **errors(403, 404, 409, 422)})
def merge(request: HttpRequest, ticket_id: Id, payload: MergeIn) -> HttpResponse:
    """Merge this ticket into ``target_id``; answers with the target."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        target = services.merge_tickets(caller, source_id=ticket_id, target_id=payload.target_id)
        return 200, ticket_out(caller, target.pk)

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{ticket_id}/events", response={200: list[EventOut], **errors(403, 404, 422)})
def events(request: HttpRequest, ticket_id: Id) -> list[Any]:
    """The audit trail: every change, who made it, through which source. Agents only."""
    return list(selectors.ticket_events(actor(request), ticket_id))
