"""The inbox's built-in views (queues, groups), their counts, and reads for its forms."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, Role, User
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_staff
from atiende.tickets import config_cache
from atiende.tickets.listing import filter_tickets
from atiende.tickets.models import (
    ACTIVE_CATEGORIES,
    Priority,
    SavedView,
    Status,
    StatusCategory,
)
from atiende.tickets.saved_views.filters import (
    COLUMNS,
    DEFAULT_COLUMNS,
    DEFAULT_SORT,
    INBOX_SORTS,
    ME,
    UNASSIGNED,
    Filters,
    parse_id,
    ticket_filters,
)
from atiende.tickets.saved_views.stored import get_saved_view, visible_saved_views
from atiende.tickets.selectors import visible_tallies, visible_tickets
from atiende.tickets.visibility import group_ids

# Built-in views and counts -------------------------------------------------------------------


@dataclass(frozen=True)
class InboxView:
    """One entry of the inbox's list of views: built-in, per group, or saved."""

    key: str
    name: str
    filters: Filters
    sort: str = DEFAULT_SORT
    columns: Sequence[str] = DEFAULT_COLUMNS
    saved: SavedView | None = None
    group_id: int | None = None
    count: int | None = field(default=None, compare=False)


ACTIVE = [str(c) for c in ACTIVE_CATEGORIES]
RECENTLY_SOLVED_DAYS = 7


def builtin_views() -> list[InboxView]:
    """The queues every agent has, in the order the sidebar lists them."""
    return [
        InboxView("mine", _("Mine"), {"assignee": ME, "status_category": ACTIVE}),
        InboxView(
            "unassigned", _("Unassigned"), {"assignee": UNASSIGNED, "status_category": ACTIVE}
        ),
        InboxView("open", _("All open"), {"status_category": ACTIVE}),
        InboxView("pending", _("Pending"), {"status_category": [StatusCategory.PENDING.value]}),
        InboxView(
            "solved",
            _("Recently solved"),
            {
                "status_category": [StatusCategory.SOLVED.value],
                "solved_since_days": RECENTLY_SOLVED_DAYS,
            },
            sort="-updated_at",
        ),
    ]


def group_views(actor: Actor) -> list[InboxView]:
    """One open-tickets view per group: the agent's own groups; every active group for admins."""
    user = actor.user
    groups = Group.objects.filter(is_active=True).order_by("name")
    if user is not None and not user.is_admin:
        groups = groups.filter(pk__in=group_ids(user))
    return [
        InboxView(
            f"group-{g.pk}",
            g.name,
            {"group_id": g.pk, "status_category": ACTIVE},
            group_id=g.pk,
        )
        for g in groups
    ]


def saved_inbox_views(actor: Actor) -> list[InboxView]:
    return [as_inbox_view(v) for v in visible_saved_views(actor)]


def as_inbox_view(view: SavedView) -> InboxView:
    filters = view.filters if isinstance(view.filters, dict) else {}
    columns = [c for c in view.columns if c in COLUMNS] if isinstance(view.columns, list) else []
    return InboxView(
        f"saved-{view.pk}",
        view.name,
        filters,
        sort=view.sort if view.sort in INBOX_SORTS else DEFAULT_SORT,
        columns=columns or DEFAULT_COLUMNS,
        saved=view,
    )


def inbox_views(actor: Actor) -> list[InboxView]:
    """Every view ``actor`` has: built-in, per group, then saved (personal and shared)."""
    require_staff(actor)
    return builtin_views() + group_views(actor) + saved_inbox_views(actor)


def find_view(actor: Actor, key: str) -> InboxView:
    """The view named ``key`` among ``actor``'s views; ``NotFound`` when it is not theirs."""
    require_staff(actor)
    for view in builtin_views():
        if view.key == key:
            return view
    kind, _sep, raw_id = key.partition("-")
    view_id = parse_id(raw_id)
    if kind == "group" and view_id is not None:
        for view in group_views(actor):
            if view.group_id == view_id:
                return view
    if kind == "saved" and view_id is not None:
        return as_inbox_view(get_saved_view(actor, view_id))
    raise NotFound(_("View not found."))


def count_views(actor: Actor, views: Sequence[InboxView]) -> list[InboxView]:
    """``views`` with their ticket counts, cheap on big tables.

    Built-in and group views of active tickets are summed in one aggregate over the caller's
    rows of the ``TicketTally`` rollup (kept in step by every ticket write), so the cost does
    not grow with the number of tickets; "recently solved" is a range of the ``solved_at``
    index. Each saved view, whose filters can be anything, costs one ``COUNT`` query.
    """
    require_staff(actor)
    statuses = [(s.pk, s.category) for s in config_cache.snapshot().statuses]
    active = [pk for pk, category in statuses if category in ACTIVE]
    pending = [pk for pk, category in statuses if category == StatusCategory.PENDING]
    solved = [pk for pk, category in statuses if category == StatusCategory.SOLVED]
    me = actor.user_id or 0
    conditions: dict[str, Q] = {
        "mine": Q(assignee_key=me),
        "unassigned": Q(assignee_key=0),
        "open": Q(),
        "pending": Q(status_id__in=pending),
    }
    for view in views:
        if view.group_id is not None and view.saved is None:
            conditions[view.key] = Q(group_key=view.group_id)
    wanted = sorted(v.key for v in views if v.saved is None and v.key in conditions)
    counts: dict[str, int] = {}
    if wanted:
        # Active tickets from the rollup (a few hundred rows, whatever the number of tickets).
        sums = {f"c{i}": Sum("count", filter=conditions[k]) for i, k in enumerate(wanted)}
        row = visible_tallies(actor).filter(status_id__in=active).aggregate(**sums)
        counts = {key: row[f"c{i}"] or 0 for i, key in enumerate(wanted)}
    if any(v.key == "solved" and v.saved is None for v in views):
        # Solved in the last days: a range of the solved_at index, not the rollup.
        since = timezone.now() - datetime.timedelta(days=RECENTLY_SOLVED_DAYS)
        recent = visible_tickets(actor).filter(status_id__in=solved, solved_at__gte=since)
        counts["solved"] = recent.count()
    result = []
    for view in views:
        if view.saved is not None:
            count = filter_tickets(actor, ticket_filters(actor, view.filters)).count()
        else:
            count = counts.get(view.key, 0)
        result.append(replace(view, count=count))
    return result


# Reads for the inbox's forms and live updates ------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """The values the inbox's filter and bulk forms offer."""

    statuses: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    groups: list[tuple[int, str]]
    agents: list[tuple[int, str]]


def filter_choices(actor: Actor) -> FilterChoices:
    require_staff(actor)
    agents = User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN)).order_by(
        "name", "pk"
    )
    return FilterChoices(
        statuses=[(s.key, s.name) for s in Status.objects.filter(is_active=True)],
        priorities=[(p.key, p.name) for p in Priority.objects.order_by("-order", "pk")],
        groups=[(g.pk, g.name) for g in Group.objects.filter(is_active=True).order_by("name")],
        agents=[(u.pk, u.display_name) for u in agents.only("pk", "name", "email")],
    )


def count_new(actor: Actor, filters: Mapping[str, Any], *, since: datetime.datetime) -> int:
    """How many tickets matching ``filters`` were created after ``since`` (the page's time)."""
    require_staff(actor)
    tickets = filter_tickets(actor, ticket_filters(actor, filters))
    return tickets.filter(created_at__gt=since).count()
