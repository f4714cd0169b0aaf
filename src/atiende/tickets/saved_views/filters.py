"""Inbox filters, columns and sorts: checked when a view is saved, read when it runs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.accounts.models import Group, Organization, User
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.text import clean_text
from atiende.tickets import custom_filters
from atiende.tickets.listing import SORTS, TicketFilters
from atiende.tickets.models import (
    Channel,
    Priority,
    Status,
    StatusCategory,
)
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
    "sla",
)
ME, UNASSIGNED = "me", "unassigned"
# The SLA filter: tickets whose next breach is past, or past within the hour.
SLA_STATES: dict[str, Promise] = {
    "breached": gettext_lazy("SLA breached"),
    "soon": gettext_lazy("SLA breached or due within an hour"),
}
SLA_SOON = datetime.timedelta(hours=1)
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
    "sla_due_at": gettext_lazy("Due date"),
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


def parse_id(value: Any) -> int | None:
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
        number = parse_id(values[0])
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
            number = parse_id(value)
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
        number = parse_id(days[0])
        if number is None or number > MAX_DAYS:
            errors.add(
                "solved_since_days",
                _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_DAYS},
            )
        else:
            clean["solved_since_days"] = number

    sla = _values(raw, "sla")
    if sla and sla[0] not in SLA_STATES:
        errors.add("sla", _("Unknown SLA state “%(value)s”.") % {"value": sla[0]})
    elif sla:
        clean["sla"] = sla[0]

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
    assignee_id = actor.user_id if assignee == ME else parse_id(assignee)
    if assignee == ME and assignee_id is None:
        assignee_id = 0  # the system has no tickets of its own
    days = parse_id(filters.get("solved_since_days"))
    sla = filters.get("sla")
    sla_due_before = None
    if sla in SLA_STATES:
        sla_due_before = timezone.now() + (SLA_SOON if sla == "soon" else datetime.timedelta())

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
        group_id=parse_id(filters.get("group_id")),
        assignee_id=assignee_id,
        unassigned=assignee == UNASSIGNED,
        requester_id=parse_id(filters.get("requester_id")),
        organization_id=parse_id(filters.get("organization_id")),
        tag=strings("tag"),
        channel=strings("channel"),
        created_after=moment("created_after"),
        created_before=moment("created_before"),
        updated_after=moment("updated_after"),
        updated_before=moment("updated_before"),
        solved_after=timezone.now() - datetime.timedelta(days=days) if days else None,
        sla_due_before=sla_due_before,
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
