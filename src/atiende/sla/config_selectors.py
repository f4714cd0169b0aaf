"""Reads of the SLA configuration rows for settings screens and the API (staff only).

The arithmetic reads the per-process snapshot (``sla.selectors``); these read the rows
themselves, with their holidays, groups, targets and levels, one page at a time.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.core.actor import Actor
from atiende.core.errors import Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_staff
from atiende.sla import selectors
from atiende.sla.calendars import NeverOpens
from atiende.sla.models import Calendar, GroupCalendar, SlaEscalation, SlaPolicy, SlaTarget

BY_NAME = SortKey("name", False, str)
BY_ORDER = SortKey("order", False, int)


def visible_calendars(actor: Actor) -> QuerySet[Calendar]:
    """Calendars are staff configuration: customers are refused outright."""
    require_staff(actor)
    groups = Prefetch("groups", queryset=GroupCalendar.objects.order_by("group_id"))
    return Calendar.objects.prefetch_related("holidays", groups)


def list_calendars(actor: Actor, *, limit: int, cursor: str | None) -> Page[Calendar]:
    return paginate(visible_calendars(actor), BY_NAME, limit=limit, cursor=cursor)


def get_calendar(actor: Actor, calendar_id: int) -> Calendar:
    calendar = visible_calendars(actor).filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("Unknown calendar."))
    return calendar


def next_opening(actor: Actor, calendar_id: int, at: dt.datetime) -> dt.datetime:
    """When the calendar is next open from ``at`` (``at`` itself when open now)."""
    get_calendar(actor, calendar_id)
    calendar = selectors.calendar_by_id(calendar_id)
    if calendar is None:  # deleted between the two reads
        raise NotFound(_("Unknown calendar."))
    try:
        return calendar.next_opening(at)
    except NeverOpens:
        raise Invalid.field("at", _("This calendar never opens.")) from None


def group_calendar_id(actor: Actor, group_id: int) -> int | None:
    """The calendar ``group_id`` works to (``None``: the default one)."""
    require_staff(actor)
    if not Group.objects.filter(pk=group_id).exists():
        raise NotFound(_("Group not found."))
    return (
        GroupCalendar.objects.filter(group_id=group_id)
        .values_list("calendar_id", flat=True)
        .first()
    )


def visible_policies(actor: Actor) -> QuerySet[SlaPolicy]:
    """SLA policies, with targets and levels: staff read them, customers are refused."""
    require_staff(actor)
    targets = Prefetch(
        "targets", queryset=SlaTarget.objects.select_related("priority").order_by("id")
    )
    levels = Prefetch("escalations", queryset=SlaEscalation.objects.order_by("kind", "level"))
    return SlaPolicy.objects.prefetch_related(targets, levels)


def list_policies(actor: Actor, *, limit: int, cursor: str | None) -> Page[SlaPolicy]:
    """Policies in the order they are tried."""
    return paginate(visible_policies(actor), BY_ORDER, limit=limit, cursor=cursor)


def get_policy(actor: Actor, policy_id: int) -> SlaPolicy:
    policy = visible_policies(actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("Unknown SLA policy."))
    return policy
