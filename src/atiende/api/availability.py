"""/groups/{id}/assignment, /users/me/availability and /users/{id}/out-of-office.

Staff read a group's assignment strategy; administrators set it. Agents set their own status
and languages; skills and capacity are the administrators'. Out-of-office periods: agents
their own, administrators anyone's.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from atiende.accounts import availability_selectors as selectors
from atiende.accounts.selectors import effective_status
from atiende.accounts.services import availability as services
from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.automation import (
    AssignmentIn,
    AssignmentOut,
    AvailabilityIn,
    AvailabilityOut,
    OutOfOfficeIn,
    OutOfOfficeOut,
    OutOfOfficePage,
)
from atiende.api.schemas.common import Id, errors
from atiende.api.writes import once, page
from atiende.automation import config_selectors
from atiende.automation.assignment.config import configure_assignment
from atiende.core.actor import Actor

router = Router(tags=["assignment"])


@router.get("/groups/{group_id}/assignment", response={200: AssignmentOut, **errors(403, 404, 422)})
def read_assignment(request: HttpRequest, group_id: Id) -> Any:
    """How the group hands out new tickets; a group never configured assigns manually."""
    return config_selectors.group_assignment(actor(request), group_id)


@router.put("/groups/{group_id}/assignment", response={200: AssignmentOut, **errors(403, 404, 422)})
def set_assignment(request: HttpRequest, group_id: Id, payload: AssignmentIn) -> Any:
    """Set the strategy (manual, round robin, fewest open tickets, skills, affinity), the
    fallback of affinity and whether agents who speak the ticket's language come first."""
    caller = actor(request)
    config_selectors.group_assignment(caller, group_id)  # an unknown group is a 404
    configure_assignment(caller, group_id=group_id, **payload.model_dump())
    return config_selectors.group_assignment(caller, group_id)


def _availability(caller: Actor, user_id: int) -> dict[str, Any]:
    row = selectors.availability_of(caller, user_id)
    return {
        "user_id": user_id,
        "status": row.status,
        "effective_status": effective_status(user_id, timezone.now()),
        "languages": row.languages,
        "skill_tags": row.skill_tags,
        "skill_categories": row.skill_categories,
        "capacity": row.capacity,
        "chat_capacity": row.chat_capacity,
    }


@router.get("/users/me/availability", response={200: AvailabilityOut, **errors(403, 422)})
def read_availability(request: HttpRequest) -> Any:
    """Your status (as chosen and as assignment sees it now), languages, skills, capacity."""
    caller = actor(request)
    assert caller.user is not None
    return _availability(caller, caller.user.pk)


@router.put("/users/me/availability", response={200: AvailabilityOut, **errors(403, 422)})
def set_availability(request: HttpRequest, payload: AvailabilityIn) -> Any:
    """Change the members given: ``status`` and ``languages`` are yours to set; skills,
    ``capacity`` and ``chat_capacity`` (``null``: no limit) need an administrator."""
    caller = actor(request)
    assert caller.user is not None
    user_id = caller.user.pk
    selectors.availability_of(caller, user_id)  # customers are refused
    changes = payload.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    if changes:
        services.update_availability(caller, user_id=user_id, changes=changes)
    if status is not None:
        services.set_agent_status(caller, user_id=user_id, status=status)
    return _availability(caller, user_id)


@router.get(
    "/users/{user_id}/out-of-office", response={200: OutOfOfficePage, **errors(403, 404, 422)}
)
def list_out_of_office(request: HttpRequest, user_id: Id, filters: Query[PageIn]) -> dict[str, Any]:
    """The agent's out-of-office periods from the earliest start."""
    return page(selectors.list_out_of_office(actor(request), user_id, **filters.model_dump()))


@router.post(
    "/users/{user_id}/out-of-office",
    response={201: OutOfOfficeOut, **errors(403, 404, 409, 422)},
)
def add_out_of_office(request: HttpRequest, user_id: Id, payload: OutOfOfficeIn) -> HttpResponse:
    """A period away: no new tickets from its start, open ones handed over then. A period
    overlapping another is a 422 naming ``starts_at``."""
    fields = payload.model_dump()

    def make(caller: Actor) -> Any:
        selectors.require_self_or_admin(caller, user_id)
        return services.add_out_of_office(caller, user_id=user_id, **fields)

    return once(request, 201, make, OutOfOfficeOut)


@router.get(
    "/users/{user_id}/out-of-office/{period_id}",
    response={200: OutOfOfficeOut, **errors(403, 404, 422)},
)
def read_out_of_office(request: HttpRequest, user_id: Id, period_id: Id) -> Any:
    return selectors.get_out_of_office(actor(request), user_id, period_id)


@router.delete(
    "/users/{user_id}/out-of-office/{period_id}", response={204: None, **errors(403, 404, 422)}
)
def end_out_of_office(request: HttpRequest, user_id: Id, period_id: Id) -> Status[None]:
    """End a running period now (back early) or drop one not yet started."""
    caller = actor(request)
    selectors.get_out_of_office(caller, user_id, period_id)
    services.end_out_of_office(caller, period_id=period_id)
    return Status(204, None)
