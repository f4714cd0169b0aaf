"""The only writer of notifications: create them (from subscribers), mark them read.

Each new notification is also a ``notification`` live event for its recipient, so the bell
updates and the browser may chime without a reload.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.language import or_default
from atiende.core.permissions import require_staff
from atiende.notifications.models import Kind, Notification
from atiende.notifications.text import describe
from atiende.realtime import log
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.visibility import ROUTING, load_viewers

READER = Actor.system("notifications")


def notify(
    *,
    kind: Kind,
    ticket_id: int,
    recipient_ids: Iterable[int],
    actor_id: int | None,
    text: str = "",
) -> list[Notification]:
    """Tell each recipient about ``ticket_id``; never the actor, never who cannot see it.

    ``text`` is what a rule says (``Kind.RULE``), shown as written.

    Recipients are kept only if they are active staff who may see the ticket now, by the same
    rules as ``visible_tickets`` (an agent moved out of the group is not told).
    """
    wanted = {pk for pk in recipient_ids if pk is not None and pk != actor_id}
    if not wanted:
        return []
    ticket = (
        visible_tickets(READER)
        .filter(pk=ticket_id)
        .values("pk", "number", "subject", *ROUTING)
        .first()
    )
    if ticket is None:
        return []
    viewers = load_viewers(wanted)
    allowed = sorted(
        pk for pk, viewer in viewers.items() if viewer.is_staff and viewer.scope.admits_row(ticket)
    )
    if not allowed:
        return []
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    recipients = User.objects.filter(pk__in=allowed).order_by("pk")
    said = text[:500]
    created = []
    with transaction.atomic():
        for recipient in recipients:
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, ticket_id=ticket_id, actor=actor, text=said
            )
            with translation.override(or_default(recipient.locale)):
                text = describe(
                    kind,
                    actor=actor.display_name if actor else "",
                    number=ticket["number"],
                    text=said,
                )
            log.append(
                "notification",
                payload={
                    "notification_id": notification.pk,
                    "kind": str(kind),
                    "ticket_id": ticket_id,
                    "number": ticket["number"],
                    "subject": ticket["subject"],
                    "text": text,
                    "unread": unread_count(recipient),
                },
                ticket_id=ticket_id,
                user_id=recipient.pk,
            )
            created.append(notification)
    return created


def unread_count(user: User) -> int:
    """The number on the bell: one indexed count."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(actor: Actor, *, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (again is fine)."""
    require_staff(actor)
    notification = Notification.objects.filter(pk=notification_id, recipient=actor.user).first()
    if notification is None:
        raise NotFound(_("Notification not found."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(actor: Actor) -> int:
    """Mark all of the actor's unread notifications read; return how many."""
    require_staff(actor)
    return Notification.objects.filter(recipient=actor.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
