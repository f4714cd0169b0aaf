"""/groups: the teams agents work in. Staff read; admins write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from atiende.accounts import selectors, services
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import (
    GroupCreateIn,
    GroupOut,
    GroupPage,
    GroupUpdateIn,
    SearchPageIn,
)
from atiende.api.schemas.common import Id, errors

router = Router(tags=["groups"])


@router.get("", response={200: GroupPage, **errors(403, 422)})
def list_(request: HttpRequest, filters: Query[SearchPageIn]) -> dict[str, Any]:
    """Groups by name; ``q`` matches part of the name."""
    page = selectors.list_groups(actor(request), **filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: GroupOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: GroupCreateIn) -> HttpResponse:
    """Create a group; ``member_ids`` must be agents or admins."""
    caller = actor(request)

    def handler() -> tuple[int, GroupOut]:
        group = services.create_group(caller, **payload.model_dump())
        return 201, GroupOut.from_orm(selectors.get_group(caller, group.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{group_id}", response={200: GroupOut, **errors(403, 404, 422)})
def read(request: HttpRequest, group_id: Id) -> Any:
    return selectors.get_group(actor(request), group_id)


@router.patch("/{group_id}", response={200: GroupOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, group_id: Id, payload: GroupUpdateIn) -> Any:
    """Change the fields given; ``member_ids`` replaces the membership."""
    caller = actor(request)
    services.update_group(caller, group_id=group_id, changes=payload.model_dump(exclude_unset=True))
    return selectors.get_group(caller, group_id)
