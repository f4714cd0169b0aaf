"""Followers: people copied on a ticket (e.g. the Cc of an email) who see and may answer it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.tickets import audit
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.services import announce

MAX_FOLLOWERS_PER_CALL = 50


@transaction.atomic
def add_followers(actor: Actor, *, ticket_id: int, user_ids: Sequence[int]) -> list[int]:
    """Add active users as followers; returns the ids actually added (requester and existing
    followers are skipped). Staff and channels only: a customer cannot copy others in."""
    require_staff(actor)
    wanted = list(dict.fromkeys(user_ids))
    if len(wanted) > MAX_FOLLOWERS_PER_CALL:
        raise Invalid.field(
            "user_ids",
            _("Add at most %(max)d followers at a time.") % {"max": MAX_FOLLOWERS_PER_CALL},
        )
    ticket = lock_visible_ticket(actor, ticket_id)
    present = set(ticket.followers.values_list("pk", flat=True)) | {ticket.requester_id}
    found = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    unknown = [pk for pk in wanted if pk not in found]
    if unknown:
        raise Invalid.field(
            "user_ids",
            _("Unknown or suspended users: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
        )
    added = [pk for pk in wanted if pk not in present]
    if not added:
        return []
    ticket.followers.add(*added)
    names = {u.pk: u for u in User.objects.filter(pk__in=added)}
    records = [
        audit.event(ticket, actor, "updated", field="followers", new=[names[pk] for pk in added])
    ]
    audit.record(records)
    publish(announce.ticket_updated(actor, ticket.pk, records))
    return added
