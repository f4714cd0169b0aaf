"""/tokens: personal API tokens. The token itself is shown once, when it is created."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from atiende.accounts import selectors, services
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import (
    TokenCreatedOut,
    TokenCreateIn,
    TokenFiltersIn,
    TokenOut,
    TokenPage,
)
from atiende.api.schemas.common import Id, errors

router = Router(tags=["tokens"])


@router.get("", response={200: TokenPage, **errors(403, 422)})
def list_(request: HttpRequest, filters: Query[TokenFiltersIn]) -> dict[str, Any]:
    """Your tokens, newest first, revoked ones included; admins may pass ``user_id``."""
    page = selectors.list_tokens(actor(request), **filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: TokenCreatedOut, **errors(403, 422)})
def create(request: HttpRequest, payload: TokenCreateIn) -> HttpResponse:
    """Issue a token (staff only; admins may issue one for ``user_id``).

    The answer is the only place the token appears. A retry with the same
    ``Idempotency-Key`` shows the same token again (kept encrypted for the key's 24 hours).
    """
    caller = actor(request)

    def handler() -> tuple[int, TokenCreatedOut]:
        token, plain = services.issue_api_token(caller, **payload.model_dump())
        return 201, TokenCreatedOut.from_orm(token, context={"token": plain})

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler, sealed=("token",))


@router.get("/{token_id}", response={200: TokenOut, **errors(404, 422)})
def read(request: HttpRequest, token_id: Id) -> Any:
    return selectors.get_token(actor(request), token_id)


@router.delete("/{token_id}", response={204: None, **errors(404, 422)})
def revoke(request: HttpRequest, token_id: Id) -> Status[None]:
    """Revoke a token: it stops working at once and stays listed with ``revoked_at``."""
    services.revoke_api_token(actor(request), token_id=token_id)
    return Status(204, None)
