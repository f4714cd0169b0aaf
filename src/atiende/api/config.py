"""Ticket configuration: /tags, /statuses, /priorities, /categories, /custom-fields.

Anyone signed in reads statuses, priorities and categories; tags and custom field definitions
are for staff; only administrators change any of them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.config import (
    CategoryCreateIn,
    CategoryOut,
    CategoryPage,
    CategoryUpdateIn,
    CustomFieldCreateIn,
    CustomFieldFiltersIn,
    CustomFieldOut,
    CustomFieldPage,
    CustomFieldUpdateIn,
    PriorityCreateIn,
    PriorityDetailOut,
    PriorityPage,
    PriorityUpdateIn,
    StatusCreateIn,
    StatusDetailOut,
    StatusPage,
    StatusUpdateIn,
    TagFiltersIn,
    TagIn,
    TagOut,
    TagPage,
)
from atiende.core.pagination import Page
from atiende.tickets import config_selectors as selectors
from atiende.tickets.services import config as ticket_config

router = Router(tags=["configuration"])
CREATE_ERRORS = errors(403, 409, 422)
UPDATE_ERRORS = errors(403, 404, 409, 422)


def page(found: Page[Any]) -> dict[str, Any]:
    return {"items": found.items, "next_cursor": found.next_cursor}


def created(request: HttpRequest, make: Any, schema: type[Schema]) -> HttpResponse:
    """Run a create once per Idempotency-Key and answer 201 with ``schema``."""
    caller = actor(request)

    def handler() -> tuple[int, Schema]:
        return 201, schema.from_orm(make(caller))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/tags", response={200: TagPage, **errors(403, 422)})
def list_tags(request: HttpRequest, filters: Query[TagFiltersIn]) -> dict[str, Any]:
    """Tags by name; ``q`` is a prefix. Staff only."""
    return page(selectors.list_tags(actor(request), **filters.model_dump()))


@router.post("/tags", response={201: TagOut, **CREATE_ERRORS})
def create_tag(request: HttpRequest, payload: TagIn) -> HttpResponse:
    """Create a tag (trimmed, lower-case). Tickets also create tags as they are tagged."""
    return created(request, lambda c: ticket_config.create_tag(c, name=payload.name), TagOut)


@router.delete("/tags/{tag_id}", response={204: None, **errors(403, 404, 422)})
def delete_tag(request: HttpRequest, tag_id: Id) -> Status[None]:
    """Delete a tag; tickets that carried it lose it."""
    ticket_config.delete_tag(actor(request), tag_id=tag_id)
    return Status(204, None)


@router.get("/statuses", response={200: StatusPage, **errors(422)})
def list_statuses(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Statuses in workflow order; ``allowed_next`` lists the keys each may move to."""
    return page(selectors.list_statuses(actor(request), **filters.model_dump()))


@router.post("/statuses", response={201: StatusDetailOut, **CREATE_ERRORS})
def create_status(request: HttpRequest, payload: StatusCreateIn) -> HttpResponse:
    """Add a status; ``is_default: true`` makes it the default in place of the current one."""
    fields = payload.model_dump()
    return created(request, lambda c: ticket_config.create_status(c, **fields), StatusDetailOut)


@router.patch("/statuses/{status_id}", response={200: StatusDetailOut, **UPDATE_ERRORS})
def update_status(request: HttpRequest, status_id: Id, payload: StatusUpdateIn) -> Any:
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    ticket_config.update_status(caller, status_id=status_id, changes=changes)
    return selectors.get_status(caller, status_id)


@router.get("/priorities", response={200: PriorityPage, **errors(422)})
def list_priorities(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Priorities from least to most urgent."""
    return page(selectors.list_priorities(actor(request), **filters.model_dump()))


@router.post("/priorities", response={201: PriorityDetailOut, **CREATE_ERRORS})
def create_priority(request: HttpRequest, payload: PriorityCreateIn) -> HttpResponse:
    fields = payload.model_dump()
    return created(request, lambda c: ticket_config.create_priority(c, **fields), PriorityDetailOut)


@router.patch("/priorities/{priority_id}", response={200: PriorityDetailOut, **UPDATE_ERRORS})
def update_priority(request: HttpRequest, priority_id: Id, payload: PriorityUpdateIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return ticket_config.update_priority(actor(request), priority_id=priority_id, changes=changes)


@router.get("/categories", response={200: CategoryPage, **errors(422)})
def list_categories(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Categories by name, each with its ``parent_id`` and ``path`` from the root."""
    items, next_cursor = selectors.list_categories(actor(request), **filters.model_dump())
    return {"items": items, "next_cursor": next_cursor}


@router.post("/categories", response={201: CategoryOut, **CREATE_ERRORS})
def create_category(request: HttpRequest, payload: CategoryCreateIn) -> HttpResponse:
    fields = payload.model_dump()

    def make(caller: Any) -> Any:
        category = ticket_config.create_category(caller, **fields)
        return selectors.get_category(caller, category.pk)

    return created(request, make, CategoryOut)


@router.patch("/categories/{category_id}", response={200: CategoryOut, **UPDATE_ERRORS})
def update_category(request: HttpRequest, category_id: Id, payload: CategoryUpdateIn) -> Any:
    """Change the fields given; a parent inside the category's own subtree is refused (422)."""
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    ticket_config.update_category(caller, category_id=category_id, changes=changes)
    return selectors.get_category(caller, category_id)


@router.get("/custom-fields", response={200: CustomFieldPage, **errors(403, 422)})
def list_custom_fields(
    request: HttpRequest, filters: Query[CustomFieldFiltersIn]
) -> dict[str, Any]:
    """Custom field definitions in display order; ``target`` picks tickets, users or
    organizations. Staff only."""
    return page(selectors.list_custom_fields(actor(request), **filters.model_dump()))


@router.post("/custom-fields", response={201: CustomFieldOut, **CREATE_ERRORS})
def create_custom_field(request: HttpRequest, payload: CustomFieldCreateIn) -> HttpResponse:
    """Define a field; ``select`` and ``multiselect`` need ``options``."""
    fields = payload.model_dump()
    return created(
        request, lambda c: ticket_config.create_custom_field(c, **fields), CustomFieldOut
    )


@router.patch("/custom-fields/{field_id}", response={200: CustomFieldOut, **UPDATE_ERRORS})
def update_custom_field(request: HttpRequest, field_id: Id, payload: CustomFieldUpdateIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return ticket_config.update_custom_field(actor(request), field_id=field_id, changes=changes)
