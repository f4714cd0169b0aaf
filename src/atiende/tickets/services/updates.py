"""Changing a ticket's fields under optimistic locking, one audit event per changed field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.core.text import clean_text
from atiende.tickets import audit, store, tally
from atiende.tickets.custom_fields import clean_custom_fields
from atiende.tickets.errors import StaleVersion
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import (
    CustomFieldTarget,
    StatusCategory,
    Ticket,
    TicketEvent,
    TicketType,
)
from atiende.tickets.services import announce, common
from atiende.tickets.services.common import MAX_SUBJECT

EDITABLE = frozenset(
    {
        "subject",
        "status",
        "priority",
        "type",
        "group_id",
        "assignee_id",
        "category_id",
        "requester_id",
        "tags",
        "custom_fields",
        "resolution",
    }
)


@transaction.atomic
@tally.deferred()
def update_ticket(
    actor: Actor, *, ticket_id: int, version: int | None, changes: Mapping[str, Any]
) -> Ticket:
    """Apply ``changes`` (only the keys given) if ``version`` is still the ticket's version.

    A stale ``version`` raises ``StaleVersion`` carrying the current ticket and writes nothing.
    ``version=None`` is for writers that act on the latest state by design (rules, bulk
    actions); people editing what they saw always pass the version they saw.
    """
    require_staff(actor)
    ticket = lock_visible_ticket(actor, ticket_id)
    was = tally.key_of(ticket)
    if version is not None and version != ticket.version:
        raise StaleVersion(
            _("The ticket is at version %(current)d; you edited version %(yours)d.")
            % {"current": ticket.version, "yours": version},
            extra={"ticket": ticket},
        )
    unknown = set(changes) - EDITABLE
    if unknown:
        errors = ErrorCollector()
        for name in sorted(unknown):
            errors.add(name, _("This field cannot be changed."))
        errors.raise_if_any()

    events = apply_changes(actor, ticket, changes)
    if not events:
        return ticket
    ticket.version += 1
    store.write_ticket(ticket)
    tally.follow(ticket, was)
    audit.record(events)
    publish(announce.ticket_updated(actor, ticket.pk, events))
    return ticket


def apply_changes(actor: Actor, ticket: Ticket, changes: Mapping[str, Any]) -> list[TicketEvent]:
    """Set each changed field on ``ticket`` and return its audit events (nothing saved yet).

    Also applies the rules' changes to a ticket being opened, before its first write
    (``opening``): there, ``tags`` are not among them (a new ticket has no rows to compare)."""
    events: list[TicketEvent] = []

    def changed(field: str, old: Any, new: Any) -> None:
        events.append(audit.event(ticket, actor, "updated", field=field, old=old, new=new))

    if "subject" in changes:
        subject = " ".join(clean_text(changes["subject"] or "").split())
        if not subject or len(subject) > MAX_SUBJECT:
            raise Invalid.field(
                "subject", _("The subject must be 1 to %(max)d characters.") % {"max": MAX_SUBJECT}
            )
        if subject != ticket.subject:
            changed("subject", ticket.subject, subject)
            ticket.subject = subject

    if "type" in changes and changes["type"] != ticket.type:
        if changes["type"] not in TicketType.values:
            raise Invalid.field("type", _("Unknown ticket type."))
        changed("type", ticket.type, changes["type"])
        ticket.type = changes["type"]

    if "priority" in changes:
        priority = common.resolve_priority(changes["priority"])
        if priority.pk != ticket.priority_id:
            changed("priority", ticket.priority, priority)
            ticket.priority = priority

    if "requester_id" in changes and changes["requester_id"] != ticket.requester_id:
        requester = User.objects.filter(pk=changes["requester_id"], is_active=True).first()
        if requester is None:
            raise Invalid.field("requester_id", _("Unknown requester."))
        changed("requester", ticket.requester, requester)
        ticket.requester = requester
        if requester.organization_id != ticket.organization_id:
            changed("organization", ticket.organization, requester.organization)
            ticket.organization_id = requester.organization_id

    if "category_id" in changes and changes["category_id"] != ticket.category_id:
        category = (
            common.resolve_category(changes["category_id"])
            if changes["category_id"] is not None
            else None
        )
        changed("category", ticket.category, category)
        ticket.category = category

    _apply_routing(ticket, changes, changed)
    _apply_status(ticket, changes, changed)

    if "tags" in changes:
        tags = common.resolve_tags(changes["tags"] or [])
        old = sorted(ticket.tags.values_list("name", flat=True))
        new = sorted(t.name for t in tags)
        if old != new:
            changed("tags", old, new)
            ticket.tags.set(tags)

    if "custom_fields" in changes:
        values = clean_custom_fields(
            CustomFieldTarget.TICKET, changes["custom_fields"] or {}, current=ticket.custom_fields
        )
        for key in sorted(set(values) | set(ticket.custom_fields)):
            if values.get(key) != ticket.custom_fields.get(key):
                changed(f"custom_fields.{key}", ticket.custom_fields.get(key), values.get(key))
        ticket.custom_fields = values
    return events


def _apply_routing(ticket: Ticket, changes: Mapping[str, Any], changed: Any) -> None:
    """Group and assignee, checked together: the assignee must work in the ticket's group."""
    group = ticket.group
    if "group_id" in changes and changes["group_id"] != ticket.group_id:
        group = (
            common.resolve_group(changes["group_id"]) if changes["group_id"] is not None else None
        )
        changed("group", ticket.group, group)
        ticket.group = group
    if "assignee_id" in changes:
        assignee_id = changes["assignee_id"]
        if assignee_id != ticket.assignee_id:
            assignee = (
                common.resolve_assignee(assignee_id, group) if assignee_id is not None else None
            )
            changed("assignee", ticket.assignee, assignee)
            ticket.assignee = assignee
        elif assignee_id is not None and ticket.assignee is not None:
            common.resolve_assignee(assignee_id, group)
    elif "group_id" in changes and ticket.assignee is not None and group is not None:
        assignee = ticket.assignee
        if not assignee.is_admin and not assignee.groups.filter(pk=group.pk).exists():
            changed("assignee", assignee, None)
            ticket.assignee = None


def _apply_status(ticket: Ticket, changes: Mapping[str, Any], changed: Any) -> None:
    """Status along allowed transitions, with the solved/closed timestamps and resolution."""
    if "resolution" in changes:
        resolution = clean_text(changes["resolution"] or "")
        if resolution != ticket.resolution:
            changed("resolution", ticket.resolution, resolution)
            ticket.resolution = resolution
    if "status" not in changes:
        return
    status = common.resolve_status(changes["status"])
    if status.pk == ticket.status_id:
        return
    common.check_transition(ticket.status, status)
    now = timezone.now()
    old_category = ticket.status.category
    changed("status", ticket.status, status)
    ticket.status = status
    if status.category == StatusCategory.SOLVED:
        ticket.solved_at = now
    elif status.category == StatusCategory.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    elif old_category == StatusCategory.SOLVED:
        ticket.solved_at = None


def assign_ticket(
    actor: Actor, *, ticket_id: int, assignee_id: int | None, version: int | None = None
) -> Ticket:
    return update_ticket(
        actor, ticket_id=ticket_id, version=version, changes={"assignee_id": assignee_id}
    )


def change_status(
    actor: Actor, *, ticket_id: int, status: str, version: int | None = None
) -> Ticket:
    return update_ticket(actor, ticket_id=ticket_id, version=version, changes={"status": status})


@transaction.atomic
def tag_ticket(
    actor: Actor, *, ticket_id: int, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> Ticket:
    """Add and remove tags without replacing the others (for rules and bulk actions)."""
    ticket = lock_visible_ticket(actor, ticket_id)
    current = list(ticket.tags.values_list("name", flat=True))
    dropped = {common.normalize_tag(n) for n in remove}
    wanted = [n for n in current if n not in dropped] + [
        common.normalize_tag(n) for n in add if common.normalize_tag(n) not in current
    ]
    return update_ticket(
        actor, ticket_id=ticket_id, version=None, changes={"tags": list(dict.fromkeys(wanted))}
    )
