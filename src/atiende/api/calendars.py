"""/calendars: business calendars (weekly hours, holidays) and the calendar of each group.

Staff read them (agents see when a group is open); only administrators change them. A bad
part (overlapping or empty hours, an unknown time zone or country) is a 422 naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from atiende.api.auth import actor
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import Id, errors
from atiende.api.schemas.sla import (
    CalendarCreateIn,
    CalendarOut,
    CalendarPage,
    CalendarUpdateIn,
    GroupCalendarIn,
    GroupCalendarOut,
    NextOpeningIn,
    NextOpeningOut,
)
from atiende.api.writes import once, page
from atiende.core.errors import FieldError, Invalid, NotFound
from atiende.sla import config_selectors as selectors
from atiende.sla.services import calendars as services

router = Router(tags=["calendars"])
# The calendar arithmetic names the holiday source ``holidays.country``; the API's members are
# ``holiday_country`` and ``holiday_subdivision``.
API_NAMES = {"holidays.country": "holiday_country", "holidays.subdivision": "holiday_subdivision"}


@contextmanager
def api_field_names() -> Iterator[None]:
    """Name each refused part as the API body names it."""
    try:
        yield
    except Invalid as invalid:
        renamed = [FieldError(API_NAMES.get(e.field, e.field), e.message) for e in invalid.errors]
        raise Invalid(invalid.detail, errors=renamed) from None


@router.get("/calendars", response={200: CalendarPage, **errors(403, 422)})
def list_calendars(request: HttpRequest, filters: Query[PageIn]) -> dict[str, Any]:
    """Calendars by name, each with its holidays and the groups that work to it."""
    return page(selectors.list_calendars(actor(request), **filters.model_dump()))


@router.post("/calendars", response={201: CalendarOut, **errors(403, 409, 422)})
def create_calendar(request: HttpRequest, payload: CalendarCreateIn) -> HttpResponse:
    """Create a calendar; ``is_default: true`` makes it the default in place of the current."""
    fields = payload.model_dump()

    def make(caller: Any) -> Any:
        with api_field_names():
            calendar = services.create_calendar(caller, **fields)
        return selectors.get_calendar(caller, calendar.pk)

    return once(request, 201, make, CalendarOut)


@router.get("/calendars/{calendar_id}", response={200: CalendarOut, **errors(403, 404, 422)})
def read_calendar(request: HttpRequest, calendar_id: Id) -> Any:
    return selectors.get_calendar(actor(request), calendar_id)


@router.patch("/calendars/{calendar_id}", response={200: CalendarOut, **errors(403, 404, 409, 422)})
def update_calendar(request: HttpRequest, calendar_id: Id, payload: CalendarUpdateIn) -> Any:
    """Change the fields given; ``holidays`` replaces the calendar's own holidays."""
    caller = actor(request)
    changes = payload.model_dump(exclude_unset=True)
    with api_field_names():
        services.update_calendar(caller, calendar_id=calendar_id, changes=changes)
    return selectors.get_calendar(caller, calendar_id)


@router.delete("/calendars/{calendar_id}", response={204: None, **errors(403, 404, 422)})
def delete_calendar(request: HttpRequest, calendar_id: Id) -> Status[None]:
    """Delete a calendar; groups and policies naming it fall back to the default one."""
    services.delete_calendar(actor(request), calendar_id=calendar_id)
    return Status(204, None)


@router.get(
    "/calendars/{calendar_id}/next-opening",
    response={200: NextOpeningOut, **errors(403, 404, 422)},
)
def next_opening(request: HttpRequest, calendar_id: Id, query: Query[NextOpeningIn]) -> Any:
    """When the calendar next opens from ``at`` (default now); ``at`` itself when open."""
    at = query.at or timezone.now()
    opening = selectors.next_opening(actor(request), calendar_id, at)
    return {"at": at, "next_opening": opening, "open_now": opening == at}


@router.get(
    "/groups/{group_id}/calendar", response={200: GroupCalendarOut, **errors(403, 404, 422)}
)
def read_group_calendar(request: HttpRequest, group_id: Id) -> Any:
    """The calendar the group works to; ``null``: the default calendar."""
    calendar_id = selectors.group_calendar_id(actor(request), group_id)
    return {"group_id": group_id, "calendar_id": calendar_id}


@router.put(
    "/groups/{group_id}/calendar", response={200: GroupCalendarOut, **errors(403, 404, 422)}
)
def set_group_calendar(request: HttpRequest, group_id: Id, payload: GroupCalendarIn) -> Any:
    """Make the group work to ``calendar_id`` (``null``: to the default calendar)."""
    caller = actor(request)
    selectors.group_calendar_id(caller, group_id)  # an unknown group is a 404
    if payload.calendar_id is not None:
        try:
            selectors.get_calendar(caller, payload.calendar_id)
        except NotFound:
            raise Invalid.field("calendar_id", _("Unknown calendar.")) from None
    services.set_group_calendar(caller, group_id=group_id, calendar_id=payload.calendar_id)
    return {"group_id": group_id, "calendar_id": selectors.group_calendar_id(caller, group_id)}
