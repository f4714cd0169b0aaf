"""/inbound: mail that is on no ticket (quarantined or ignored), why, and what to do. Admins.

The list the workspace shows under Settings → Quarantine: our own mail that came back, a
second delivery, a bounce for mail we never sent, a rate-limited storm, an untrustworthy or
unreadable message, each with its reason. ``release`` opens a ticket from one whatever the
checks said; ``retry`` runs the pipeline again; ``discard`` throws it away (kept as
discarded).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import Id, Page, errors
from atiende.core.actor import Actor
from atiende.core.pagination import SortKey, paginate
from atiende.messaging import selectors, services
from atiende.messaging.models import InboundMessage

router = Router(tags=["inbound"])
NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)


class HeldOut(Schema):
    id: int
    received_at: datetime.datetime
    state: str
    reason: str
    sender: str
    subject: str
    size: int
    source: str
    recipient: str
    auto_generated: bool
    mailbox_id: int | None
    ticket_id: int | None


class HeldPageIn(PageIn):
    state: Literal["quarantined", "ignored"] | None = None


HeldPage = Page[HeldOut]


@router.get("", response={200: HeldPage, **errors(403, 422)})
def list_(request: HttpRequest, page: Query[HeldPageIn]) -> dict[str, Any]:
    """Quarantined and ignored mail (or only ``state``), newest first, with the reason."""
    rows = selectors.quarantined(actor(request), state=page.state)
    found = paginate(rows, NEWEST_FIRST, limit=page.limit, cursor=page.cursor)
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.get("/{inbound_id}", response={200: HeldOut, **errors(403, 404, 422)})
def read(request: HttpRequest, inbound_id: Id) -> InboundMessage:
    """One inbound message, whatever its state (after a release it names its ticket)."""
    return selectors.get_inbound(actor(request), inbound_id)


def _act(request: HttpRequest, inbound_id: int, action: Callable[..., Any]) -> HttpResponse:
    """Run one decision once per ``Idempotency-Key`` and answer the message as it is now."""
    caller: Actor = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        action(caller, inbound_id=inbound_id)
        held = selectors.get_inbound(caller, inbound_id)
        return 200, HeldOut.model_validate(held, from_attributes=True).model_dump(mode="json")

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post("/{inbound_id}/release", response={200: HeldOut, **errors(403, 404, 409, 422)})
def release(request: HttpRequest, inbound_id: Id) -> HttpResponse:
    """Open a ticket from the message whatever the pipeline thought of it (409 unless it is
    quarantined or ignored)."""
    return _act(request, inbound_id, services.create_ticket_anyway)


@router.post("/{inbound_id}/retry", response={200: HeldOut, **errors(403, 404, 409, 422)})
def retry(request: HttpRequest, inbound_id: Id) -> HttpResponse:
    """Run the pipeline again (after a fix, or once a rate limit has passed)."""
    return _act(request, inbound_id, services.retry_inbound)


@router.post("/{inbound_id}/discard", response={200: HeldOut, **errors(403, 404, 409, 422)})
def discard(request: HttpRequest, inbound_id: Id) -> HttpResponse:
    """Throw the message away; it stays listed nowhere but is kept as discarded."""
    return _act(request, inbound_id, services.discard_inbound)
