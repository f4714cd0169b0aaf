"""/organizations: the companies customers belong to. Staff read; admins write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from atiende.accounts import selectors, services
from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import (
    OrganizationCreateIn,
    OrganizationOut,
    OrganizationPage,
    OrganizationUpdateIn,
    SearchPageIn,
)
from atiende.api.schemas.common import Id, errors

router = Router(tags=["organizations"])


@router.get("", response={200: OrganizationPage, **errors(403, 422)})
def list_(request: HttpRequest, filters: Query[SearchPageIn]) -> dict[str, Any]:
    """Organizations by name; ``q`` matches part of the name or of a domain."""
    page = selectors.list_organizations(actor(request), **filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: OrganizationOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: OrganizationCreateIn) -> HttpResponse:
    """Create an organization; customers writing from its ``domains`` join it automatically."""
    caller = actor(request)

    def handler() -> tuple[int, OrganizationOut]:
        org = services.create_organization(caller, **payload.model_dump())
        return 201, OrganizationOut.from_orm(selectors.get_organization(caller, org.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{organization_id}", response={200: OrganizationOut, **errors(403, 404, 422)})
def read(request: HttpRequest, organization_id: Id) -> Any:
    return selectors.get_organization(actor(request), organization_id)


@router.patch("/{organization_id}", response={200: OrganizationOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, organization_id: Id, payload: OrganizationUpdateIn) -> Any:
    """Change the fields given; ``domains`` replaces the list (a domain of another
    organization is a 409 naming it)."""
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    services.update_organization(caller, organization_id=organization_id, changes=changes)
    return selectors.get_organization(caller, organization_id)
