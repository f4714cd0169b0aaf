"""Merging duplicate customer records: one person, one record, every ticket in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Identity, Organization, User
from atiende.accounts.selectors import visible_users
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Invalid
from atiende.core.event_types import CustomersMerged
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services.requesters import Reassigned, reassign_requester

# Tickets move whoever can see them: the merge is about the person, not the agent's queue.
MERGER = Actor.system("customer merge")
EMPTY: tuple[Any, ...] = (None, "", [])


@dataclass(frozen=True)
class MergePreview:
    """What a merge of ``source`` into ``target`` would move, for the confirmation screen."""

    source: User
    target: User
    ticket_count: int
    identities: list[Identity]
    organization: Organization | None
    custom_field_keys: list[str]


def _pair(actor: Actor, source_id: int, target_id: int, *, lock: bool) -> tuple[User, User]:
    """Both customers, checked (and locked in id order, so opposite merges cannot deadlock)."""
    require_staff(actor)
    if source_id == target_id:
        raise Invalid.field("source_id", _("A customer cannot be merged into itself."))
    users = visible_users(actor).filter(pk__in=[source_id, target_id]).order_by("pk")
    if lock:
        users = users.select_for_update()
    found = {user.pk: user for user in users}
    for field, pk in (("source_id", source_id), ("target_id", target_id)):
        user = found.get(pk)
        if user is None:
            raise Invalid.field(field, _("Unknown customer."))
        if not user.is_customer:
            raise Invalid.field(field, _("Only customers can be merged, not staff."))
        if user.merged_into_id is not None:
            raise Conflict(
                _("%(name)s was already merged into another customer.")
                % {"name": user.display_name}
            )
    target = found[target_id]
    if not target.is_active:
        raise Conflict(_("Cannot merge into a suspended customer."))
    return found[source_id], target


def _moving_fields(source: User, target: User) -> list[str]:
    return sorted(
        key
        for key, value in source.custom_fields.items()
        if value not in EMPTY and target.custom_fields.get(key) in EMPTY
    )


def _tickets_of(user: User) -> QuerySet[Ticket]:
    return visible_tickets(MERGER).filter(requester=user)


def preview_merge(actor: Actor, *, source_id: int, target_id: int) -> MergePreview:
    """Check a merge without doing it, and say what would move."""
    source, target = _pair(actor, source_id, target_id, lock=False)
    return MergePreview(
        source=source,
        target=target,
        ticket_count=_tickets_of(source).count(),
        identities=list(Identity.objects.filter(user=source).order_by("channel", "value")),
        organization=source.organization if target.organization_id is None else None,
        custom_field_keys=_moving_fields(source, target),
    )


@transaction.atomic
def merge_customers(actor: Actor, *, source_id: int, target_id: int) -> User:
    """Fold the duplicate ``source`` into ``target`` and return ``target``.

    The organization, phone, name and custom fields fill what ``target`` lacks; then the
    tickets move through ``tickets.services.reassign_requester`` (requester and organization,
    history and events per ticket) and identities move. Both customers' notes record the
    merge. ``source`` is suspended and points at ``target``; its email is freed so that mail
    from the address finds ``target`` through the moved identity.
    """
    source, target = _pair(actor, source_id, target_id, lock=True)
    before = (source.display_name, target.display_name)
    target_changes = _fill_gaps(source, target)
    # After the gaps are filled: the tickets take the organization the survivor ends with.
    moved = reassign_requester(actor, from_user=source, to_user=target)

    have = set(Identity.objects.filter(user=target).values_list("channel", "value"))
    moving = [
        pk
        for pk, channel, value in Identity.objects.filter(user=source).values_list(
            "pk", "channel", "value"
        )
        if (channel, value) not in have
    ]
    Identity.objects.filter(pk__in=moving).update(user=target)

    email, verified = source.email, source.email_verified_at
    source_note, target_note = _history_notes(before, moved, target)
    source.notes = _appended(source.notes, source_note)
    # Free the source's email before the target may take it (emails are unique).
    source.email, source.is_active, source.merged_into = None, False, target
    source.save(update_fields=["email", "is_active", "merged_into", "notes", "updated_at"])
    if target.email is None and email is not None:
        target.email, target.email_verified_at = email, verified
        target_changes += ["email", "email_verified_at"]
    target.notes = _appended(target.notes, target_note)
    target.save(update_fields=[*dict.fromkeys([*target_changes, "notes"]), "updated_at"])

    publish(
        CustomersMerged(
            source_id=source.pk,
            target_id=target.pk,
            actor_id=actor.user_id,
            ticket_ids=moved.ticket_ids,
            identity_ids=tuple(moving),
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )
    return target


def _fill_gaps(source: User, target: User) -> list[str]:
    """Give ``target`` what it lacks and ``source`` has; return the fields changed."""
    changed: list[str] = []
    if target.organization_id is None and source.organization_id is not None:
        target.organization_id = source.organization_id
        changed.append("organization")
    for name in ("name", "phone"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
            changed.append(name)
    keys = _moving_fields(source, target)
    if keys:
        target.custom_fields = {
            **target.custom_fields,
            **{k: source.custom_fields[k] for k in keys},
        }
        changed.append("custom_fields")
    if source.notes.strip():
        target.notes = "\n\n".join(filter(None, (target.notes.strip(), source.notes.strip())))
        changed.append("notes")
    return changed


def _history_notes(names: tuple[str, str], moved: Reassigned, target: User) -> tuple[str, str]:
    """The lines both customers' notes get: who merged into whom, how many tickets moved and,
    when it changed, the tickets' organization (customers have no history of their own; the
    notes are what the customer page shows about them)."""
    date = timezone.localdate().isoformat()
    source_name, target_name = names
    count = len(moved.ticket_ids)
    source_note = _("%(date)s: merged into %(name)s (tickets moved: %(count)d).") % {
        "date": date,
        "name": target_name,
        "count": count,
    }
    target_note = _(
        "%(date)s: %(name)s was merged into this customer (tickets moved: %(count)d)."
    ) % {
        "date": date,
        "name": source_name,
        "count": count,
    }
    if moved.organizations_before:
        nobody = _("no organization")
        old = ", ".join(o.name if o is not None else nobody for o in moved.organizations_before)
        new = target.organization.name if target.organization is not None else nobody
        change = _("Organization of the moved tickets: %(old)s → %(new)s.") % {
            "old": old,
            "new": new,
        }
        source_note, target_note = f"{source_note} {change}", f"{target_note} {change}"
    return source_note, target_note


def _appended(notes: str, line: str) -> str:
    return "\n\n".join(filter(None, (notes.strip(), line)))
