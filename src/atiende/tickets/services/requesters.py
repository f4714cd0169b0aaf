"""Moving tickets from one requester to another: what a customer merge does to tickets."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from atiende.accounts.models import Organization, User
from atiende.core.actor import Actor
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.tickets import audit, store
from atiende.tickets.models import Ticket, TicketEvent
from atiende.tickets.services import announce

BATCH_SIZE = 500


@dataclass(frozen=True)
class Reassigned:
    """What ``reassign_requester`` moved: the tickets, and the organizations they had before
    (only those that differ from the new requester's)."""

    ticket_ids: tuple[int, ...]
    organizations_before: tuple[Organization | None, ...]


@transaction.atomic
def reassign_requester(
    actor: Actor, *, from_user: User, to_user: User, batch_size: int = BATCH_SIZE
) -> Reassigned:
    """Give every ticket of ``from_user`` to ``to_user``, whoever can see them.

    Each ticket's organization follows its new requester (``to_user.organization_id`` as the
    caller holds it), so the right colleagues see it. Per batch of ``batch_size`` tickets: one
    UPDATE (version and ``updated_at`` bumped) and one INSERT of their history entries
    (requester; organization when it changed); each ticket gets its ``TicketUpdated``. The
    status, group and assignee do not change, so the inbox counts stay as they are.
    """
    require_staff(actor)
    if from_user.pk == to_user.pk:
        return Reassigned((), ())
    locked = store.lock_tickets_of_requester(from_user.pk)
    new_org = to_user.organization_id
    old_orgs = {org for _, org in locked if org != new_org}
    known = Organization.objects.in_bulk([o for o in old_orgs if o is not None])
    organizations = {o: known.get(o) if o is not None else None for o in old_orgs}
    after = to_user.organization if new_org is not None else None
    now = timezone.now()
    history: dict[int, list[TicketEvent]] = {}
    for batch in itertools.batched(locked, batch_size):
        ids = [pk for pk, _ in batch]
        store.set_requester(ids, requester_id=to_user.pk, organization_id=new_org, now=now)
        events: list[TicketEvent] = []
        for pk, org in batch:
            ticket = Ticket(pk=pk)
            events.append(
                audit.event(ticket, actor, "updated", field="requester", old=from_user, new=to_user)
            )
            if org != new_org:
                events.append(
                    audit.event(
                        ticket,
                        actor,
                        "updated",
                        field="organization",
                        old=organizations[org],
                        new=after,
                    )
                )
        audit.record(events)
        for record in events:
            history.setdefault(record.ticket_id, []).append(record)
    for pk, _ in locked:
        publish(announce.ticket_updated(actor, pk, history[pk]))
    return Reassigned(
        tuple(pk for pk, _ in locked),
        tuple(sorted(organizations.values(), key=lambda o: (o is not None, str(o)))),
    )
