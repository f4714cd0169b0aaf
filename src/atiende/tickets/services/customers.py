"""Merging duplicate customers: one person, one record, every ticket in one place.

A use case of two apps: the accounts app checks the pair, fills what the survivor lacks and
folds the duplicate; the tickets move through ``reassign_requester`` (requester and
organization, history and an event per ticket). It lives here because tickets depend on
accounts, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from atiende.accounts.models import Identity, Organization, User
from atiende.accounts.services import merging
from atiende.core.actor import Actor
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services.requesters import reassign_requester

# Tickets move whoever can see them: the merge is about the person, not the agent's queue.
MERGER = Actor.system("customer merge")


@dataclass(frozen=True)
class MergePreview:
    """What a merge of ``source`` into ``target`` would move, for the confirmation screen."""

    source: User
    target: User
    ticket_count: int
    identities: list[Identity]
    organization: Organization | None
    custom_field_keys: list[str]


def _tickets_of(user: User) -> QuerySet[Ticket]:
    return visible_tickets(MERGER).filter(requester=user)


def preview_merge(actor: Actor, *, source_id: int, target_id: int) -> MergePreview:
    """Check a merge without doing it, and say what would move."""
    source, target = merging.merge_pair(actor, source_id, target_id, lock=False)
    return MergePreview(
        source=source,
        target=target,
        ticket_count=_tickets_of(source).count(),
        identities=list(Identity.objects.filter(user=source).order_by("channel", "value")),
        organization=source.organization if target.organization_id is None else None,
        custom_field_keys=merging.moving_fields(source, target),
    )


@transaction.atomic
def merge_customers(actor: Actor, *, source_id: int, target_id: int) -> User:
    """Fold the duplicate ``source`` into ``target`` and return ``target``.

    The organization, phone, name and custom fields fill what ``target`` lacks; then the
    tickets follow ``target`` (requester and the organization it ends with); then identities
    move and both customers' notes record the merge (``accounts.services.merging``).
    """
    source, target = merging.merge_pair(actor, source_id, target_id, lock=True)
    target_changes = merging.fill_gaps(source, target)
    moved = reassign_requester(actor, from_user=source, to_user=target)
    merging.fold_customer(
        actor,
        source=source,
        target=target,
        target_changes=target_changes,
        ticket_ids=moved.ticket_ids,
        organizations_before=tuple(o.name if o else None for o in moved.organizations_before),
    )
    return target
