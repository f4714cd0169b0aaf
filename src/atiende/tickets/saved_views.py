"""Inbox views: the built-in queues, saved views, their filters, columns, sorts and counts.

A view is a set of the ticket list's filters (``listing.TicketFilters``) stored as plain JSON
under the names the inbox and the API use in query strings, plus the columns shown and the
sort. Filters are checked against the known names and values when a view is saved; when a
view runs, the viewer's own scope (``visible_tickets``) still applies, so a shared view never
shows a ticket its viewer could not open. ``"me"`` as assignee means whoever runs the view.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.accounts.models import Group, Organization, Role, User
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Forbidden, Invalid, NotFound
from atiende.core.text import clean_text
from atiende.tickets import config_cache, custom_filters
from atiende.tickets.listing import SORTS, TicketFilters, filter_tickets
from atiende.tickets.models import (
    ACTIVE_CATEGORIES,
    Channel,
    Priority,
    SavedView,
    Status,
    StatusCategory,
)
from atiende.tickets.permissions import require_staff
from atiende.tickets.selectors import group_ids, visible_tallies, visible_tickets
from atiende.tickets.services.common import MAX_TAG_LENGTH, normalize_tag

MULTI_FILTERS = ("status", "status_category", "priority", "tag", "channel")
ID_FILTERS = ("group_id", "requester_id", "organization_id")
DATE_FILTERS = ("created_after", "created_before", "updated_after", "updated_before")
FILTER_NAMES = (
    "q",
    *MULTI_FILTERS,
    *ID_FILTERS,
    "assignee",
    *DATE_FILTERS,
    "solved_since_days",
)
ME, UNASSIGNED = "me", "unassigned"
MAX_QUERY = 500
MAX_VALUES = 50
MAX_DAYS = 3650
MAX_NAME = 100

COLUMNS: dict[str, Promise] = {
    "number": gettext_lazy("Number"),
    "subject": gettext_lazy("Subject"),
    "requester": gettext_lazy("Requester"),
    "status": gettext_lazy("Status"),
    "priority": gettext_lazy("Priority"),
    "group": gettext_lazy("Group"),
    "assignee": gettext_lazy("Assignee"),
    "updated": gettext_lazy("Updated"),
    "created": gettext_lazy("Created"),
    "tags": gettext_lazy("Tags"),
    "channel": gettext_lazy("Channel"),
    "due": gettext_lazy("Due"),
}
DEFAULT_COLUMNS = ("number", "subject", "requester", "status", "priority", "assignee", "updated")

# The sorts the inbox offers, by the list's sort names (``listing.SORTS``).
INBOX_SORTS: dict[str, Promise] = {
    "-created_at": gettext_lazy("Newest first"),
    "created_at": gettext_lazy("Oldest first"),
    "-priority": gettext_lazy("Priority"),
    "resolution_due_at": gettext_lazy("Due date"),
    "-updated_at": gettext_lazy("Last update"),
}
DEFAULT_SORT = "-created_at"
assert set(INBOX_SORTS) <= set(SORTS)

Filters = dict[str, Any]


# Filters -------------------------------------------------------------------------------------


def _values(raw: Mapping[str, Any], name: str) -> list[str]:
    """Every non-empty value given for ``name``, as text (a query string may repeat names)."""
    value = raw.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [clean_text(str(v)).strip() for v in items if str(v).strip()]


def _parse_moment(value: str) -> datetime.datetime | None:
    """A date (midnight in the current time zone) or an ISO date-time; ``None`` if neither."""
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_id(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def clean_filters(raw: Mapping[str, Any], *, strict: bool = True) -> Filters:
    """Check ``raw`` filters against the known names and values; return their stored form.

    ``raw`` maps names to a value or a list of values (a query string or stored JSON). Empty
    values are dropped. With ``strict``, unknown names are errors; otherwise they are ignored
    (a page's query string also carries its sort, columns and cursor). Every bad filter is an
    ``Invalid`` field error named after the filter.
    """
    errors = ErrorCollector()
    clean: Filters = {}
    if strict:
        for name in sorted(set(raw) - set(FILTER_NAMES) - set(custom_filters.names_in(raw))):
            errors.add(name, _("Unknown filter."))

    q = " ".join(_values(raw, "q"))
    if len(q) > MAX_QUERY:
        errors.add("q", _("The text must be at most %(max)d characters.") % {"max": MAX_QUERY})
    elif q:
        clean["q"] = q

    for name in MULTI_FILTERS:
        values = _values(raw, name)
        if name == "tag":
            values = [normalize_tag(t) for v in values for t in v.split(",") if t.strip()]
        values = list(dict.fromkeys(values))
        if len(values) > MAX_VALUES:
            errors.add(name, _("Too many values."))
        elif values:
            clean[name] = values
    _check_choices(clean, errors)

    for name in ID_FILTERS:
        values = _values(raw, name)
        if not values:
            continue
        number = _parse_id(values[0])
        if number is None:
            errors.add(name, _("Enter a whole number."))
        else:
            clean[name] = number
    _check_ids(clean, errors)

    assignee = _values(raw, "assignee")
    if assignee:
        value = assignee[0]
        if value in (ME, UNASSIGNED):
            clean["assignee"] = value
        else:
            number = _parse_id(value)
            agent = User.objects.filter(pk=number).first() if number is not None else None
            if agent is None or not agent.is_agent:
                errors.add("assignee", _("Unknown agent."))
            else:
                clean["assignee"] = number

    for name in DATE_FILTERS:
        values = _values(raw, name)
        if values:
            if _parse_moment(values[0]) is None:
                errors.add(name, _("Enter a date as YYYY-MM-DD."))
            else:
                clean[name] = values[0]
    for start, end in (("created_after", "created_before"), ("updated_after", "updated_before")):
        if start in clean and end in clean:
            first, last = _parse_moment(clean[start]), _parse_moment(clean[end])
            if first is not None and last is not None and first >= last:
                errors.add(end, _("This date must come after the first one."))

    days = _values(raw, "solved_since_days")
    if days:
        number = _parse_id(days[0])
        if number is None or number > MAX_DAYS:
            errors.add(
                "solved_since_days",
                _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_DAYS},
            )
        else:
            clean["solved_since_days"] = number

    custom = {name: (_values(raw, name) or [""])[0] for name in custom_filters.names_in(raw)}
    clean.update(custom_filters.clean_custom_filters(custom, errors))

    errors.raise_if_any()
    return clean


def _check_choices(clean: Filters, errors: ErrorCollector) -> None:
    """Status and priority keys must exist; categories, channels and tags must be well-formed."""
    if "status" in clean:
        known = set(Status.objects.filter(key__in=clean["status"]).values_list("key", flat=True))
        unknown = [k for k in clean["status"] if k not in known]
        if unknown:
            errors.add("status", _("Unknown status “%(key)s”.") % {"key": unknown[0]})
    if "priority" in clean:
        known = set(
            Priority.objects.filter(key__in=clean["priority"]).values_list("key", flat=True)
        )
        unknown = [k for k in clean["priority"] if k not in known]
        if unknown:
            errors.add("priority", _("Unknown priority “%(key)s”.") % {"key": unknown[0]})
    for name, choices in (
        ("status_category", StatusCategory.values),
        ("channel", Channel.values),
    ):
        unknown = [v for v in clean.get(name, ()) if v not in choices]
        if unknown:
            errors.add(name, _("Unknown value “%(value)s”.") % {"value": unknown[0]})
    if any(len(t) > MAX_TAG_LENGTH for t in clean.get("tag", ())):
        errors.add("tag", _("Tags must be at most %(max)d characters.") % {"max": MAX_TAG_LENGTH})


def _check_ids(clean: Filters, errors: ErrorCollector) -> None:
    if "group_id" in clean and not Group.objects.filter(pk=clean["group_id"]).exists():
        errors.add("group_id", _("Unknown group."))
    if "requester_id" in clean and not User.objects.filter(pk=clean["requester_id"]).exists():
        errors.add("requester_id", _("Unknown user."))
    if (
        "organization_id" in clean
        and not Organization.objects.filter(pk=clean["organization_id"]).exists()
    ):
        errors.add("organization_id", _("Unknown organization."))


def ticket_filters(actor: Actor, filters: Mapping[str, Any]) -> TicketFilters:
    """The list's filters for stored ``filters`` as ``actor`` runs them (``"me"`` is them).

    Reads no database and tolerates stored values that no longer parse (they are skipped), so a
    view saved long ago still runs.
    """
    assignee = filters.get("assignee")
    assignee_id = actor.user_id if assignee == ME else _parse_id(assignee)
    if assignee == ME and assignee_id is None:
        assignee_id = 0  # the system has no tickets of its own
    days = _parse_id(filters.get("solved_since_days"))

    def moment(name: str) -> datetime.datetime | None:
        value = filters.get(name)
        return _parse_moment(value) if isinstance(value, str) else None

    def strings(name: str) -> tuple[str, ...]:
        value = filters.get(name)
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    return TicketFilters(
        status=strings("status"),
        status_category=strings("status_category"),
        priority=strings("priority"),
        group_id=_parse_id(filters.get("group_id")),
        assignee_id=assignee_id,
        unassigned=assignee == UNASSIGNED,
        requester_id=_parse_id(filters.get("requester_id")),
        organization_id=_parse_id(filters.get("organization_id")),
        tag=strings("tag"),
        channel=strings("channel"),
        created_after=moment("created_after"),
        created_before=moment("created_before"),
        updated_after=moment("updated_after"),
        updated_before=moment("updated_before"),
        solved_after=timezone.now() - datetime.timedelta(days=days) if days else None,
        q=str(filters.get("q") or ""),
        custom=custom_filters.as_filters(filters),
    )


def clean_columns(columns: Iterable[str]) -> list[str]:
    """Known column names in the order given, without repeats, with a link to each ticket."""
    wanted = list(dict.fromkeys(c for c in columns if c))
    unknown = [c for c in wanted if c not in COLUMNS]
    if unknown:
        raise Invalid.field("columns", _("Unknown column “%(name)s”.") % {"name": unknown[0]})
    if "number" not in wanted and "subject" not in wanted:
        raise Invalid.field(
            "columns", _("Show the number or the subject: they link to the ticket.")
        )
    return wanted


def clean_sort(sort: str) -> str:
    if sort not in INBOX_SORTS:
        raise Invalid.field("sort", _("Unknown sort."))
    return sort


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
    view_id = _parse_id(raw_id)
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
    statuses = [(s.pk, s.category) for s in config_cache.statuses()]
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


# Saved views: selectors ----------------------------------------------------------------------


def visible_saved_views(actor: Actor) -> QuerySet[SavedView]:
    """The caller's own views and the views others shared; personal views stay private."""
    require_staff(actor)
    views = SavedView.objects.select_related("owner")
    if actor.user is None:
        return views
    return views.filter(Q(owner_id=actor.user.pk) | Q(shared=True))


def get_saved_view(actor: Actor, view_id: int) -> SavedView:
    """A view the caller may use; someone else's personal view is not found, not forbidden."""
    view = visible_saved_views(actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("View not found."))
    return view


def can_edit(actor: Actor, view: SavedView) -> bool:
    """Owners and admins change a view; everyone else may only use a shared one."""
    user = actor.user
    return user is None or user.is_admin or view.owner_id == user.pk


# Saved views: services -----------------------------------------------------------------------


def _clean_name(actor: Actor, name: str, *, owner_id: int, exclude: int | None = None) -> str:
    name = " ".join(clean_text(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise Invalid.field(
            "name", _("The name must be 1 to %(max)d characters.") % {"max": MAX_NAME}
        )
    taken = SavedView.objects.filter(owner_id=owner_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Invalid.field("name", _("You already have a view with this name."))
    return name


@transaction.atomic
def create_saved_view(
    actor: Actor,
    *,
    name: str,
    filters: Mapping[str, Any],
    shared: bool = False,
    columns: Iterable[str] = DEFAULT_COLUMNS,
    sort: str = DEFAULT_SORT,
) -> SavedView:
    """Save filters, columns and sort under a name; any agent may share a view with the team."""
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only a person can own a view."))
    owner = actor.user
    errors = ErrorCollector()
    values: dict[str, Any] = {}
    for key, check in (
        ("name", lambda: _clean_name(actor, name, owner_id=owner.pk)),
        ("filters", lambda: clean_filters(filters)),
        ("columns", lambda: clean_columns(columns)),
        ("sort", lambda: clean_sort(sort)),
    ):
        try:
            values[key] = check()
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    position = SavedView.objects.filter(owner=owner).count()
    return SavedView.objects.create(owner=owner, shared=shared, position=position, **values)


@transaction.atomic
def update_saved_view(
    actor: Actor,
    *,
    view_id: int,
    name: str | None = None,
    shared: bool | None = None,
    filters: Mapping[str, Any] | None = None,
    columns: Iterable[str] | None = None,
    sort: str | None = None,
) -> SavedView:
    """Change what is given; only the owner or an admin may change a view."""
    view = _editable(actor, view_id)
    errors = ErrorCollector()
    checks: list[tuple[str, Any]] = []
    if name is not None:
        checks.append(
            ("name", lambda: _clean_name(actor, name, owner_id=view.owner_id, exclude=view.pk))
        )
    if filters is not None:
        checks.append(("filters", lambda: clean_filters(filters)))
    if columns is not None:
        checks.append(("columns", lambda: clean_columns(columns)))
    if sort is not None:
        checks.append(("sort", lambda: clean_sort(sort)))
    for key, check in checks:
        try:
            setattr(view, key, check())
        except Invalid as error:
            errors.errors.extend(error.errors)
    errors.raise_if_any()
    if shared is not None:
        view.shared = shared
    view.save()
    return view


@transaction.atomic
def delete_saved_view(actor: Actor, *, view_id: int) -> None:
    view = _editable(actor, view_id)
    view.delete()


def _editable(actor: Actor, view_id: int) -> SavedView:
    view = get_saved_view(actor, view_id)
    if not can_edit(actor, view):
        raise Forbidden(_("Only its owner or an administrator can change this view."))
    return view


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
