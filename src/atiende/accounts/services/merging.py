"""Merging duplicate customer records: the accounts' side of the merge.

The use case — check, fill the survivor's gaps, move the tickets, fold the duplicate — is
``tickets.services.customers.merge_customers``, because moving tickets is the tickets app's
write; the accounts app does not import tickets. Here: the pair check, the fields that fill
what the survivor lacks, and folding the duplicate (identities, notes, suspension, event).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import Identity, User
from atiende.accounts.selectors import visible_users
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.core.event_types import CustomersMerged
from atiende.core.events import publish
from atiende.core.folding import fold
from atiende.core.permissions import is_admin, require_staff

EMPTY: tuple[Any, ...] = (None, "", [])


def merge_pair(actor: Actor, source_id: int, target_id: int, *, lock: bool) -> tuple[User, User]:
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
    if found[source_id].organization_id != target.organization_id and not is_admin(actor):
        # The merged customer would see the other organization's shared tickets, or its
        # members the duplicate's tickets: a move between organizations, an admin's call.
        raise Forbidden(_("Only an administrator can merge customers of different organizations."))
    return found[source_id], target


def moving_fields(source: User, target: User) -> list[str]:
    return sorted(
        key
        for key, value in source.custom_fields.items()
        if value not in EMPTY and target.custom_fields.get(key) in EMPTY
    )


def fold_customer(
    actor: Actor,
    *,
    source: User,
    target: User,
    target_changes: list[str],
    ticket_ids: tuple[int, ...],
    organizations_before: tuple[str | None, ...],
) -> None:
    """Finish a merge whose tickets have moved: identities move, both customers' notes record
    it, ``source`` is suspended and points at ``target``; its email is freed so that mail from
    the address finds ``target`` through the moved identity. Publishes ``CustomersMerged``."""
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
    source_note, target_note = _history_notes(
        (source.display_name, target.display_name), ticket_ids, organizations_before, target
    )
    source.notes = _appended(source.notes, source_note)
    # Free the source's email before the target may take it (emails are unique).
    source.email, source.is_active, source.merged_into = None, False, target
    source.save(update_fields=["email", "is_active", "merged_into", "notes", "updated_at"])
    EmailAddress.objects.filter(user=source).delete()  # allauth's mirror of the freed email
    if target.email is None and email is not None:
        target.email, target.email_verified_at = email, verified
        target_changes = [*target_changes, "email", "email_verified_at"]
    target.notes = _appended(target.notes, target_note)
    target.save(update_fields=[*dict.fromkeys([*target_changes, "notes"]), "updated_at"])

    publish(
        CustomersMerged(
            source_id=source.pk,
            target_id=target.pk,
            actor_id=actor.user_id,
            ticket_ids=ticket_ids,
            identity_ids=tuple(moving),
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )


def fill_gaps(source: User, target: User) -> list[str]:
    """Give ``target`` what it lacks and ``source`` has; return the fields changed."""
    changed: list[str] = []
    if target.organization_id is None and source.organization_id is not None:
        target.organization_id = source.organization_id
        changed.append("organization")
    for name in ("name", "phone"):
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
            changed.append(name)
    if "name" in changed:
        target.folded_name = fold(target.name)
        changed.append("folded_name")
    keys = moving_fields(source, target)
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


def _history_notes(
    names: tuple[str, str],
    ticket_ids: tuple[int, ...],
    organizations_before: tuple[str | None, ...],
    target: User,
) -> tuple[str, str]:
    """The lines both customers' notes get: who merged into whom, how many tickets moved and,
    when it changed, the tickets' organization (customers have no history of their own; the
    notes are what the customer page shows about them)."""
    date = timezone.localdate().isoformat()
    source_name, target_name = names
    count = len(ticket_ids)
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
    if organizations_before:
        nobody = _("no organization")
        old = ", ".join(name if name is not None else nobody for name in organizations_before)
        new = target.organization.name if target.organization is not None else nobody
        change = _("Organization of the moved tickets: %(old)s → %(new)s.") % {
            "old": old,
            "new": new,
        }
        source_note, target_note = f"{source_note} {change}", f"{target_note} {change}"
    return source_note, target_note


def _appended(notes: str, line: str) -> str:
    return "\n\n".join(filter(None, (notes.strip(), line)))
