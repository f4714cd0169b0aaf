"""Merging duplicate customer records: one person, one record, every ticket in one place."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.events import CustomersMerged
from atiende.accounts.models import Identity, Organization, User
from atiende.accounts.selectors import visible_users
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Invalid
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.tickets import audit
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets

# Tickets move whoever can see them: the merge is about the person, not the agent's queue.
MERGER = Actor.system("customer merge")
BATCH_SIZE = 500
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

    Tickets change requester (one ``TicketEvent`` each, written in bulk), identities move, and
    the organization, phone, name and custom fields fill what ``target`` lacks. ``source`` is
    suspended and points at ``target``; its email is freed so that mail from the address finds
    ``target`` through the moved identity.
    """
    source, target = _pair(actor, source_id, target_id, lock=True)
    now = timezone.now()

    ticket_ids = list(
        _tickets_of(source).select_for_update().order_by("pk").values_list("pk", flat=True)
    )
    for batch in itertools.batched(ticket_ids, BATCH_SIZE):
        visible_tickets(MERGER).filter(pk__in=batch).update(
            requester=target, version=F("version") + 1, updated_at=now
        )
        audit.record(
            audit.event(Ticket(pk=pk), actor, "updated", field="requester", old=source, new=target)
            for pk in batch
        )

    have = set(Identity.objects.filter(user=target).values_list("channel", "value"))
    moving = [
        pk
        for pk, channel, value in Identity.objects.filter(user=source).values_list(
            "pk", "channel", "value"
        )
        if (channel, value) not in have
    ]
    Identity.objects.filter(pk__in=moving).update(user=target)

    target_changes: list[str] = []
    email, verified = source.email, source.email_verified_at
    if target.organization_id is None and source.organization_id is not None:
        target.organization_id = source.organization_id
        target_changes.append("organization")
    for name in ("name", "phone"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
            target_changes.append(name)
    keys = _moving_fields(source, target)
    if keys:
        target.custom_fields = {
            **target.custom_fields,
            **{k: source.custom_fields[k] for k in keys},
        }
        target_changes.append("custom_fields")
    if source.notes.strip():
        target.notes = "\n\n".join(filter(None, (target.notes.strip(), source.notes.strip())))
        target_changes.append("notes")

    # Free the source's email before the target may take it (emails are unique).
    source.email, source.is_active, source.merged_into = None, False, target
    source.save(update_fields=["email", "is_active", "merged_into", "updated_at"])
    if target.email is None and email is not None:
        target.email, target.email_verified_at = email, verified
        target_changes += ["email", "email_verified_at"]
    if target_changes:
        target.save(update_fields=[*target_changes, "updated_at"])

    publish(
        CustomersMerged(
            source_id=source.pk,
            target_id=target.pk,
            actor_id=actor.user_id,
            ticket_ids=tuple(ticket_ids),
            identity_ids=tuple(moving),
        )
    )
    return target
