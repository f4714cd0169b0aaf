"""Merging duplicates and linking related tickets."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Conflict, Invalid, NotFound
from atiende.core.event_types import TicketLinked, TicketsMerged, TicketUnlinked
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.tickets import audit, store, tally
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import (
    Attachment,
    LinkKind,
    Message,
    StatusCategory,
    Ticket,
    TicketLink,
)
from atiende.tickets.services import announce, common


@transaction.atomic
@tally.deferred()
def merge_tickets(actor: Actor, *, source_id: int, target_id: int) -> Ticket:
    """Move ``source``'s conversation and followers into ``target`` and close ``source``.

    The source keeps a pointer to the target (``merged_into``) so old links and email
    replies still find their way.
    """
    require_staff(actor)
    if source_id == target_id:
        raise Invalid.field("target_id", _("A ticket cannot be merged into itself."))
    # Lock in id order so two opposite merges cannot deadlock.
    first, second = sorted((source_id, target_id))
    locked = {first: lock_visible_ticket(actor, first), second: lock_visible_ticket(actor, second)}
    source, target = locked[source_id], locked[target_id]
    source_was, target_was = tally.key_of(source), tally.key_of(target)
    for ticket in (source, target):
        if ticket.merged_into_id is not None:
            raise Conflict(_("Ticket #%(number)d was already merged.") % {"number": ticket.number})
    if target.status.category in (StatusCategory.CLOSED, StatusCategory.CANCELLED):
        raise Conflict(_("Cannot merge into a closed ticket."))
    closed = common.first_status_in(StatusCategory.CLOSED)
    if closed is None:
        raise RuntimeError("no closed status is configured")

    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Attachment.objects.filter(ticket=source).update(ticket=target)
    followers = set(source.followers.values_list("pk", flat=True))
    if source.requester_id != target.requester_id:
        followers.add(source.requester_id)
    if followers:
        target.followers.add(*followers)
    now = timezone.now()
    events = [
        audit.event(source, actor, "merged", field="merged_into", new=target),
        audit.event(source, actor, "updated", field="status", old=source.status, new=closed),
        audit.event(
            target,
            actor,
            "merged",
            field="merged_from",
            new={"id": source.pk, "number": source.number, "messages": moved},
        ),
    ]
    source.merged_into = target
    source.status = closed
    source.closed_at = now
    source.version += 1
    store.write_ticket(source)
    tally.follow(source, source_was)
    target.last_message_at = max(
        filter(None, (target.last_message_at, source.last_message_at)), default=now
    )
    target.version += 1
    store.write_ticket(target)
    tally.follow(target, target_was)
    audit.record(events)
    publish(
        TicketsMerged(
            source_id=source.pk,
            target_id=target.pk,
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )
    publish(announce.ticket_updated(actor, source.pk, events[:2]))
    publish(announce.ticket_updated(actor, target.pk, events[2:]))
    return target


@transaction.atomic
def link_tickets(actor: Actor, *, source_id: int, target_id: int, kind: str) -> TicketLink:
    """Record that ``source`` is related to, a duplicate of, or the parent of ``target``."""
    require_staff(actor)
    if kind not in LinkKind.values:
        raise Invalid.field("kind", _("Unknown link kind."))
    if source_id == target_id:
        raise Invalid.field("target_id", _("A ticket cannot be linked to itself."))
    source = lock_visible_ticket(actor, source_id)
    try:
        target = lock_visible_ticket(actor, target_id)
    except NotFound:
        raise Invalid.field("target_id", _("Unknown ticket.")) from None
    exists = TicketLink.objects.filter(source=source, target=target, kind=kind).exists()
    if exists or (
        kind == LinkKind.RELATED
        and TicketLink.objects.filter(source=target, target=source, kind=kind).exists()
    ):
        raise Conflict(_("These tickets are already linked that way."))
    if (
        kind == LinkKind.PARENT
        and TicketLink.objects.filter(source=target, target=source, kind=LinkKind.PARENT).exists()
    ):
        raise Conflict(_("A ticket cannot be both parent and child of another."))
    link = TicketLink.objects.create(
        source=source, target=target, kind=kind, created_by_id=actor.user_id
    )
    summary = {"id": target.pk, "number": target.number, "kind": kind}
    back = {"id": source.pk, "number": source.number, "kind": kind}
    audit.record(
        [
            audit.event(source, actor, "linked", field="links", new=summary),
            audit.event(target, actor, "linked", field="links", new=back),
        ]
    )
    publish(
        TicketLinked(
            source_id=source.pk,
            target_id=target.pk,
            kind=str(kind),
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )
    return link


@transaction.atomic
def unlink_tickets(actor: Actor, *, ticket_id: int, link_id: int) -> None:
    """Remove a link from either of its two tickets; both histories and a ``TicketUnlinked``
    say so."""
    require_staff(actor)
    ticket = lock_visible_ticket(actor, ticket_id)
    link = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket), pk=link_id).first()
    if link is None:
        raise NotFound(_("Unknown link."))
    other_id = link.target_id if link.source_id == ticket.pk else link.source_id
    other = lock_visible_ticket(actor, other_id)
    gone = {"kind": link.kind, "source": link.source_id, "target": link.target_id}
    TicketLink.objects.filter(pk=link.pk).delete()
    audit.record(
        [
            audit.event(ticket, actor, "unlinked", field="links", old=gone),
            audit.event(other, actor, "unlinked", field="links", old=gone),
        ]
    )
    publish(
        TicketUnlinked(
            link_id=link.pk,
            source_id=link.source_id,
            target_id=link.target_id,
            kind=link.kind,
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )
