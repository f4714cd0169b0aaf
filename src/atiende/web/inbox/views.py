"""The inbox: views with live counts, the ticket list, saved views and bulk actions.

Every page works without JavaScript (links and plain forms); htmx makes the counts, the
"load more" pages, the new-tickets bar and the bulk results update in place.

A page's state travels in its query string: ``view`` names the view (built-in, per group or
saved); with ``filtered=1`` the filters, ``sort`` and ``columns`` come from the query string
(the filter form) instead of from the view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from atiende.core.errors import AtiendeError, Invalid, NotFound
from atiende.core.pagination import Page
from atiende.tickets import custom_filters, saved_views
from atiende.tickets.listing import TicketFilters, list_tickets
from atiende.tickets.models import Ticket
from atiende.tickets.saved_views import (
    COLUMNS,
    FILTER_NAMES,
    MULTI_FILTERS,
    FilterChoices,
    Filters,
    InboxView,
)
from atiende.web.common import actor, apply_errors, fragment_errors, staff_required
from atiende.web.errors import gone_notice
from atiende.web.inbox import bulk as bulk_helpers
from atiende.web.inbox import cells, people
from atiende.web.inbox.forms import BulkForm, FilterForm

DEFAULT_VIEW = "open"
PAGE_SIZE = 25


@dataclass
class InboxState:
    """What the list shows: a view, possibly with the filter form's changes on top."""

    view: InboxView
    filters: Filters
    sort: str
    columns: list[str]
    custom: bool
    form: FilterForm
    valid: bool

    @property
    def query(self) -> str:
        """This state as a query string (no cursor), for links and htmx requests."""
        if not self.custom:
            return urlencode({"view": self.view.key})
        return urlencode(
            [("view", self.view.key), ("filtered", "1"), *state_pairs(self)], doseq=True
        )

    @property
    def column_labels(self) -> list[tuple[str, str]]:
        return [(c, str(COLUMNS[c])) for c in self.columns]


def state_pairs(state: InboxState) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = [
        (name, state.filters[name]) for name in FILTER_NAMES if name in state.filters
    ]
    pairs += [(name, state.filters[name]) for name in custom_filters.names_in(state.filters)]
    pairs.append(("sort", state.sort))
    pairs.append(("columns", state.columns))
    return pairs


def as_form_data(filters: Filters, *, sort: str, columns: list[str]) -> dict[str, Any]:
    """A view's stored filters as the filter form's initial values."""
    data: dict[str, Any] = {}
    for name, value in filters.items():
        if name == "tag":
            data[name] = ", ".join(value)
        elif name in MULTI_FILTERS:
            data[name] = list(value)
        else:
            data[name] = str(value)
    data["sort"] = sort
    data["columns"] = columns
    return data


def raw_filters(data: QueryDict) -> dict[str, list[str]]:
    names = [*FILTER_NAMES, *custom_filters.names_in(data)]
    return {name: data.getlist(name) for name in names if name in data}


def resolve_state(request: HttpRequest, data: QueryDict, choices: FilterChoices) -> InboxState:
    """The view named in ``data`` and the filters, sort and columns to show it with.

    A view the caller does not have raises ``NotFound`` (a page turns it into a 404).
    """
    caller = actor(request)
    view = saved_views.find_view(caller, data.get("view") or DEFAULT_VIEW)
    if not data.get("filtered"):
        columns = list(view.columns)
        initial = as_form_data(view.filters, sort=view.sort, columns=columns)
        people.with_labels(caller, initial)
        form = FilterForm(initial=initial, choices=choices)
        return InboxState(view, view.filters, view.sort, columns, False, form, True)
    data, unknown = people.resolve(caller, data)
    form = FilterForm(data, choices=choices)
    if not form.is_valid() or unknown:
        for name, message in unknown.items():
            form.add_error(name, message)
        return InboxState(view, {}, view.sort, list(view.columns), True, form, False)
    try:
        filters = saved_views.clean_filters(raw_filters(data), strict=False)
        columns = saved_views.clean_columns(form.column_values())
    except Invalid as error:
        apply_errors(form, error)
        return InboxState(view, {}, view.sort, list(view.columns), True, form, False)
    return InboxState(view, filters, form.sort_value(), columns, True, form, True)


def fragment_state(request: HttpRequest) -> InboxState:
    """The page state an htmx fragment request carries (``NotFound`` for an unknown view)."""
    return resolve_state(request, request.GET, saved_views.filter_choices(actor(request)))


def ticket_page(request: HttpRequest, state: InboxState, cursor: str | None) -> Page[Ticket]:
    caller = actor(request)
    filters: TicketFilters = saved_views.ticket_filters(caller, state.filters)
    return list_tickets(
        caller,
        filters,
        sort=state.sort,
        limit=PAGE_SIZE,
        cursor=cursor or None,
        related=cells.related(state.columns),
        with_tags="tags" in state.columns,
    )


def sidebar_sections(request: HttpRequest) -> list[tuple[str, list[InboxView]]]:
    """The views with their counts, grouped under the sidebar's headings."""
    caller = actor(request)
    views = saved_views.count_views(caller, saved_views.inbox_views(caller))
    builtin = [v for v in views if v.group_id is None and v.saved is None]
    groups = [v for v in views if v.group_id is not None]
    saved = [v for v in views if v.saved is not None]
    sections = [(_("Views"), builtin)]
    if groups:
        sections.append((_("Groups"), groups))
    if saved:
        sections.append((_("Saved views"), saved))
    return sections


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    choices = saved_views.filter_choices(actor(request))
    try:
        state = resolve_state(request, request.GET, choices)
    except NotFound:
        raise Http404(_("View not found.")) from None
    page: Page[Ticket] | None = None
    cursor = request.GET.get("cursor") or None
    problem: AtiendeError | None = None
    if state.valid:
        try:
            page = ticket_page(request, state, cursor)
        except Invalid as error:
            problem = error
    context = {
        "problem": problem,
        "notice": gone_notice(request),
        "state": state,
        "filters_open": state.custom or bool(state.form.errors) or "filters" in request.GET,
        "page": page,
        "rows": cells.rows(page.items, state.column_labels) if page is not None else [],
        "cursor": cursor,
        "sections": sidebar_sections(request),
        "since": timezone.now().isoformat(),
        "bulk_form": BulkForm(choices=choices, macros=bulk_helpers.bulk_macros(actor(request))),
        "can_edit": state.view.saved is not None
        and saved_views.can_edit(actor(request), state.view.saved),
    }
    return render(request, "web/inbox/inbox.html", context)


@staff_required
@require_GET
@fragment_errors
def rows(request: HttpRequest) -> HttpResponse:
    """One page of rows (the first, or the one after ``cursor``) for htmx."""
    state = fragment_state(request)
    if not state.valid:
        raise Invalid(_("The filters are not valid."))
    cursor = request.GET.get("cursor") or None
    page = ticket_page(request, state, cursor)
    context = {
        "state": state,
        "page": page,
        "rows": cells.rows(page.items, state.column_labels),
        "cursor": cursor,
    }
    return render(request, "web/inbox/_rows.html", context)


@staff_required
@require_GET
@fragment_errors
def row(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One ticket's row as it is now, for the live inbox (``inbox-live.js``): empty when the
    ticket no longer belongs in this view or in the agent's sight, so the row goes."""
    state = fragment_state(request)
    if not state.valid:
        raise Invalid(_("The filters are not valid."))
    caller = actor(request)
    filters = replace(saved_views.ticket_filters(caller, state.filters), ids=(ticket_id,))
    found = list_tickets(
        caller,
        filters,
        sort=state.sort,
        limit=1,
        related=cells.related(state.columns),
        with_tags="tags" in state.columns,
    ).items
    if not found:
        return HttpResponse("")
    ticket, ticket_cells = cells.rows(found, state.column_labels)[0]
    context = {"state": state, "ticket": ticket, "cells": ticket_cells}
    return render(request, "web/inbox/_row.html", context)


@staff_required
@require_GET
@fragment_errors
def filters(request: HttpRequest) -> HttpResponse:
    """The filter form of a page's state, fetched when the filter panel is first opened."""
    state = fragment_state(request)
    return render(request, "web/inbox/_filters_form.html", {"state": state})


@staff_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """The sidebar's views with fresh counts (reloaded on live events and every minute)."""
    context = {"sections": sidebar_sections(request), "current": request.GET.get("current", "")}
    return render(request, "web/inbox/_views.html", context)


@staff_required
@require_GET
@fragment_errors
def new_tickets(request: HttpRequest) -> HttpResponse:
    """How many tickets of this view arrived since the page was rendered."""
    state = fragment_state(request)
    count = 0
    try:
        since = datetime.datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        raise Invalid.field("since", _("Not a valid time.")) from None
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    if state.valid:
        count = saved_views.count_new(actor(request), state.filters, since=since)
    return render(request, "web/inbox/_new.html", {"state": state, "count": count})


def safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("inbox")
