"""/macros: reply texts with placeholders plus actions, and applying one to a ticket.

Visibility is the workspace's: shared macros for everyone (or one group's agents) and each
agent's personal ones. Agents write their personal macros; administrators the shared ones.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.schemas.automation import (
    MacroAppliedOut,
    MacroApplyIn,
    MacroCreateIn,
    MacroFiltersIn,
    MacroOut,
    MacroPage,
    MacroUpdateIn,
)
from atiende.api.schemas.common import Id, errors
from atiende.api.writes import once, page
from atiende.automation import config_selectors as selectors
from atiende.automation.macros import services

router = Router(tags=["macros"])


@router.get("/macros", response={200: MacroPage, **errors(403, 422)})
def list_macros(request: HttpRequest, filters: Query[MacroFiltersIn]) -> dict[str, Any]:
    """Macros you may use, by name; ``q`` matches the name or text."""
    return page(selectors.list_macros(actor(request), **filters.model_dump()))


@router.post("/macros", response={201: MacroOut, **errors(403, 409, 422)})
def create_macro(request: HttpRequest, payload: MacroCreateIn) -> HttpResponse:
    """A personal macro, or (``shared``, administrators) one for everyone or one group. A
    placeholder that does not exist is a 422 naming ``body``."""
    fields = payload.model_dump()
    return once(request, 201, lambda c: services.create_macro(c, **fields), MacroOut)


@router.get("/macros/{macro_id}", response={200: MacroOut, **errors(403, 404, 422)})
def read_macro(request: HttpRequest, macro_id: Id) -> Any:
    return selectors.get_visible_macro(actor(request), macro_id)


@router.patch("/macros/{macro_id}", response={200: MacroOut, **errors(403, 404, 422)})
def update_macro(request: HttpRequest, macro_id: Id, payload: MacroUpdateIn) -> Any:
    changes = payload.model_dump(exclude_unset=True)
    return services.update_macro(actor(request), macro_id=macro_id, changes=changes)


@router.delete("/macros/{macro_id}", response={204: None, **errors(403, 404, 422)})
def delete_macro(request: HttpRequest, macro_id: Id) -> Status[None]:
    services.delete_macro(actor(request), macro_id=macro_id)
    return Status(204, None)


@router.post(
    "/tickets/{ticket_id}/macros/{macro_id}",
    response={200: MacroAppliedOut, **errors(403, 404, 409, 422)},
)
def apply_macro(
    request: HttpRequest, ticket_id: Id, macro_id: Id, payload: MacroApplyIn
) -> HttpResponse:
    """Apply the macro's actions to the ticket (all or none) and answer its text filled in for
    the composer; a stale ``version`` is a 409 with the ticket as it is now."""
    caller = actor(request)

    def handler() -> tuple[int, dict[str, Any]]:
        text = services.apply_macro(
            caller, ticket_id=ticket_id, macro_id=macro_id, version=payload.version
        )
        return 200, {"text": text}

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)
