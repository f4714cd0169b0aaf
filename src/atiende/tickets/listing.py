"""The ticket list: filters, sorts and pages over the caller's visible tickets."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from atiende.core.actor import Actor
from atiende.core.pagination import Page, SortKey, paginate
from atiende.tickets import config_cache, custom_filters, planning, visibility
from atiende.tickets.custom_filters import CustomFilter
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets

SORTS: dict[str, SortKey] = {
    "created_at": SortKey("created_at", False, datetime.datetime),
    "-created_at": SortKey("created_at", True, datetime.datetime),
    "updated_at": SortKey("updated_at", False, datetime.datetime),
    "-updated_at": SortKey("updated_at", True, datetime.datetime),
    "number": SortKey("number", False),
    "-number": SortKey("number", True),
    "priority": SortKey("priority__order", False),
    "-priority": SortKey("priority__order", True),
    # Soonest due first; tickets without a due date come last (see ``ANNOTATIONS``).
    "resolution_due_at": SortKey("due_sort", False, datetime.datetime),
    # The next SLA breach (the inbox's "due" column), soonest first, none last.
    "sla_due_at": SortKey("sla_due_sort", False, datetime.datetime),
}
DEFAULT_SORT = "-created_at"
LIST_RELATED = ("requester", "group", "assignee", "organization", "category")
NO_DUE_DATE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
# Sort paths that are computed: a nullable column sorted with its empty values last, so that
# the cursor never has to carry a NULL.
ANNOTATIONS = {
    "due_sort": Coalesce("resolution_due_at", Value(NO_DUE_DATE)),
    "sla_due_sort": Coalesce("sla_due_at", Value(NO_DUE_DATE)),
}


_NUMBER = re.compile(r"#?([0-9]{1,18})")


class TextFilter(Protocol):
    """Narrows tickets to those matching a text query (the ``search`` app's index)."""

    def __call__(
        self, queryset: QuerySet[Ticket], query: str, *, include_internal: bool
    ) -> QuerySet[Ticket]: ...


_text_filters: list[TextFilter] = []


def use_text_filter(text_filter: TextFilter) -> None:
    """Plug in the full-text search: the ``search`` app does in its ``ready``. The list calls
    it for ``TicketFilters.q``; tickets does not import search, which reads tickets."""
    _text_filters[:] = [text_filter]


def number_in_query(query: str) -> int | None:
    """The ticket number a query names, as in ``#1042`` or ``1042``; else ``None``."""
    match = _NUMBER.fullmatch(query.strip())
    if match is None:
        return None
    number = int(match.group(1))
    return number or None


@dataclass(frozen=True)
class TicketFilters:
    status: Sequence[str] = ()
    status_category: Sequence[str] = ()
    priority: Sequence[str] = ()
    group_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    requester_id: int | None = None
    organization_id: int | None = None
    tag: Sequence[str] = ()
    channel: Sequence[str] = ()
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    solved_after: datetime.datetime | None = None
    # The next SLA breach before this instant: breached (now) or due soon (now + the window).
    sla_due_before: datetime.datetime | None = None
    q: str = ""
    custom: tuple[CustomFilter, ...] = ()  # (custom field key, value); see custom_filters
    # Only these tickets (the live inbox refreshes one row through the view's own filters).
    ids: Sequence[int] = ()
    # With ``q``: also the tickets these customers asked (the search page's customer hits).
    q_requesters: Sequence[int] = ()


# A broad scope written on these aliases leaves SQLite only the sort order's index.
HINTED_SCOPE = {"group_id": "scope_group", "assignee_id": "scope_assignee"}


def visible_in_order(actor: Actor) -> QuerySet[Ticket]:
    """``visible_tickets(actor)``, for reading a page in a sort order.

    On SQLite a scope matching a large share of all tickets is written on unindexed columns,
    so that the planner reads in sort order and stops after a page (see ``planning``). The
    scope is the gate's own (``visibility.scope_for``); only the columns' spelling changes.
    Not for subqueries (``ticket__in=...``): there the indexes are the fast way.
    """
    scope = visibility.scope_for(actor.user)
    if not planning.read_in_order(scope):
        return visible_tickets(actor)
    tickets = Ticket.objects.alias(
        scope_group=planning.Unindexed(F("group_id")),
        scope_assignee=planning.Unindexed(F("assignee_id")),
    )
    return scope.filter(tickets, HINTED_SCOPE)


def filter_tickets(actor: Actor, filters: TicketFilters) -> QuerySet[Ticket]:
    """The caller's visible tickets narrowed by ``filters`` (all conditions must hold)."""
    tickets = visible_in_order(actor)
    conditions = Q()
    # Statuses and priorities become ids here (from the configuration snapshot), so the
    # database can use the (status, created_at) index instead of joining to read each row's.
    statuses = config_cache.snapshot().statuses  # read only: no copies
    status_ids: set[int] | None = None
    if filters.status:
        status_ids = {s.pk for s in statuses if s.key in filters.status}
    if filters.status_category:
        wanted = set(filters.status_category)
        in_category = {s.pk for s in statuses if s.category in wanted}
        status_ids = in_category if status_ids is None else status_ids & in_category
    if status_ids is not None and _common(status_ids):
        tickets = tickets.alias(plan_status=planning.Unindexed(F("status_id")))
        conditions &= Q(plan_status__in=sorted(status_ids))
    elif status_ids is not None:
        conditions &= Q(status_id__in=sorted(status_ids))
    if filters.priority:
        keys = set(filters.priority)
        priorities = config_cache.snapshot().priorities
        conditions &= Q(priority_id__in=[p.pk for p in priorities if p.key in keys])
    if filters.group_id is not None:
        conditions &= Q(group_id=filters.group_id)
    if filters.assignee_id is not None:
        conditions &= Q(assignee_id=filters.assignee_id)
    if filters.unassigned:
        conditions &= Q(assignee__isnull=True)
    if filters.ids:
        conditions &= Q(pk__in=list(filters.ids))
    if filters.requester_id is not None:
        conditions &= Q(requester_id=filters.requester_id)
    if filters.organization_id is not None:
        conditions &= Q(organization_id=filters.organization_id)
    if filters.channel:
        conditions &= Q(channel__in=filters.channel)
    if filters.created_after:
        conditions &= Q(created_at__gte=filters.created_after)
    if filters.created_before:
        conditions &= Q(created_at__lt=filters.created_before)
    if filters.updated_after:
        conditions &= Q(updated_at__gte=filters.updated_after)
    if filters.updated_before:
        conditions &= Q(updated_at__lt=filters.updated_before)
    if filters.solved_after:
        conditions &= Q(solved_at__gte=filters.solved_after)
    if filters.sla_due_before:
        conditions &= Q(sla_due_at__lt=filters.sla_due_before)
    tickets = tickets.filter(conditions)
    for key, value in filters.custom:
        tickets = custom_filters.narrow(tickets, key, value)
    for tag in filters.tag:
        tickets = tickets.filter(tags__name=tag.strip().lower())
    if filters.q.strip():
        if not _text_filters:
            raise ImproperlyConfigured("No text search is plugged in: install atiende.search.")
        staff = actor.user is None or actor.user.is_agent
        matched = _text_filters[0](tickets, filters.q, include_internal=staff)
        if filters.q_requesters:
            matched = matched | tickets.filter(requester_id__in=list(filters.q_requesters))
        number = number_in_query(filters.q)
        tickets = (matched | tickets.filter(number=number)) if number is not None else matched
    return tickets


def _common(status_ids: set[int]) -> bool:
    """Whether SQLite should read these statuses' tickets in sort order (see ``planning``)."""
    return (
        bool(status_ids)
        and planning.needs_hints()
        and planning.is_broad(Q(status_id__in=status_ids))
    )


def _sorted(actor: Actor, filters: TicketFilters, sort: str) -> tuple[QuerySet[Ticket], SortKey]:
    tickets = filter_tickets(actor, filters)
    key = SORTS[sort]
    if key.path in ANNOTATIONS:
        tickets = tickets.annotate(**{key.path: ANNOTATIONS[key.path]})
    return tickets, key


def list_tickets(
    actor: Actor,
    filters: TicketFilters,
    *,
    sort: str = DEFAULT_SORT,
    limit: int = 25,
    cursor: str | None = None,
    related: Sequence[str] = LIST_RELATED,
    with_tags: bool = True,
) -> Page[Ticket]:
    """A page of tickets as model instances, with what a list shows of them loaded: the
    ``related`` objects joined in, and the tags when ``with_tags`` (a list that shows fewer
    columns loads less)."""
    tickets, key = _sorted(actor, filters, sort)
    if related:  # select_related() without names would join every relation
        tickets = tickets.select_related(*related)
    if with_tags:
        tickets = tickets.prefetch_related("tags")
    if key.path.startswith("priority__"):  # the cursor reads the last row's priority order
        tickets = tickets.select_related("priority")
    page = paginate(tickets, key, limit=limit, cursor=cursor)
    config_cache.attach(page.items)
    return page


def list_ticket_rows(
    actor: Actor,
    filters: TicketFilters,
    columns: Sequence[str],
    *,
    sort: str = DEFAULT_SORT,
    limit: int = 25,
    cursor: str | None = None,
) -> Page[dict[str, Any]]:
    """A page of tickets as plain rows of ``columns`` (and the sort's), for fast serializing."""
    tickets, key = _sorted(actor, filters, sort)
    wanted = [*columns, key.path] if key.path not in columns else list(columns)
    return paginate(tickets.values(*wanted), key, limit=limit, cursor=cursor)
