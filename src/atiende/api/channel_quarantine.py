"""/channel-accounts/{account_id}/quarantine: webhook payloads of one channel account that could
not be processed, why, and what to do with each. Admins only.

What the workspace shows under Settings → Messaging channels → Quarantine, per account (each
account's ``quarantined_count`` says where to look): ``retry`` processes a payload again (after
fixing the account's secrets or group), ``discard`` puts a quarantined one aside (kept as
ignored, with who discarded it). A payload is reached through its own account only: another
account's id answers 404, as a missing one.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import Id, Page, errors
from atiende.core.actor import Actor
from atiende.core.pagination import SortKey, paginate
from atiende.messaging.channels import selectors, services
from atiende.messaging.models import ChannelPayload

router = Router(tags=["channels"])
NEWEST_FIRST = SortKey("received_at", True, datetime.datetime)
BASE = "/channel-accounts/{account_id}/quarantine"


class HeldPayloadOut(Schema):
    id: int
    account_id: int
    method: str
    url: str
    headers: dict[str, Any]
    query: dict[str, Any]
    received_at: datetime.datetime
    verified_at: datetime.datetime | None = Field(description="When its signature was checked.")
    state: str = Field(description="quarantined, ignored, or what a retry made of it.")
    reason: str
    attempts: int
    processed_at: datetime.datetime | None


class HeldPayloadDetailOut(HeldPayloadOut):
    size: int = Field(description="Bytes of the raw body.")
    body_preview: str = Field(description="The body as text (JSON indented), maybe cut short.")
    body_truncated: bool


class HeldPageIn(PageIn):
    state: Literal["quarantined", "ignored"] | None = None


HeldPayloadPage = Page[HeldPayloadOut]


def _detail(payload: ChannelPayload) -> dict[str, Any]:
    preview, cut = selectors.body_preview(payload)
    out = HeldPayloadOut.model_validate(payload, from_attributes=True).model_dump(mode="json")
    return {**out, "size": len(bytes(payload.body)), "body_preview": preview, "body_truncated": cut}


@router.get(BASE, response={200: HeldPayloadPage, **errors(403, 404, 422)})
def list_held(request: HttpRequest, account_id: Id, page: Query[HeldPageIn]) -> dict[str, Any]:
    """The account's quarantined and ignored payloads (or only ``state``), newest first, each
    with its reason; no bodies."""
    caller = actor(request)
    selectors.get_account(caller, account_id)  # an unknown account is a 404, not an empty list
    rows = selectors.held_payloads(caller, state=page.state, account_id=account_id)
    found = paginate(rows, NEWEST_FIRST, limit=page.limit, cursor=page.cursor)
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.get(BASE + "/{payload_id}", response={200: HeldPayloadDetailOut, **errors(403, 404, 422)})
def read_held(request: HttpRequest, account_id: Id, payload_id: Id) -> dict[str, Any]:
    """One payload of the account, whatever its state, with its body as text."""
    return _detail(selectors.get_payload(actor(request), payload_id, account_id=account_id))


def _act(
    request: HttpRequest, account_id: int, payload_id: int, action: Callable[..., Any]
) -> HttpResponse:
    """Run one decision once per ``Idempotency-Key``; answer the payload as it is now."""
    caller: Actor = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        action(caller, payload_id=payload_id, account_id=account_id)
        return 200, _detail(selectors.get_payload(caller, payload_id, account_id=account_id))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.post(
    BASE + "/{payload_id}/retry",
    response={200: HeldPayloadDetailOut, **errors(403, 404, 409, 422)},
)
def retry_held(request: HttpRequest, account_id: Id, payload_id: Id) -> HttpResponse:
    """Process a quarantined or ignored payload again; the answer says what became of it
    (``processed``, or quarantined again with the new reason). 409 for any other state."""
    return _act(request, account_id, payload_id, services.retry_payload)


@router.post(
    BASE + "/{payload_id}/discard",
    response={200: HeldPayloadDetailOut, **errors(403, 404, 409, 422)},
)
def discard_held(request: HttpRequest, account_id: Id, payload_id: Id) -> HttpResponse:
    """Put a quarantined payload aside: kept as ``ignored``, its reason saying who discarded it.
    409 unless it is quarantined."""
    return _act(request, account_id, payload_id, services.discard_payload)
