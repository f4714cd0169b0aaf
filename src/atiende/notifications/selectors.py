"""Reads of notifications: only the reader's own, only about tickets they may still see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet

from atiende.core.actor import Actor
from atiende.core.pagination import SortKey, paginate
from atiende.notifications.models import Notification
from atiende.notifications.text import describe
from atiende.tickets.selectors import visible_tickets

NEWEST_FIRST = SortKey("created_at", descending=True, kind=datetime)


@dataclass(frozen=True)
class Item:
    """One line of the notification centre, ready to render."""

    id: int
    kind: str
    text: str
    ticket_id: int
    number: int
    subject: str
    created_at: datetime
    unread: bool


def _mine(actor: Actor) -> QuerySet[Notification]:
    if actor.user is None or not actor.user.is_agent:
        return Notification.objects.none()
    # A correlated check per notification (a primary-key lookup), not the agent's whole
    # scope materialised as a subquery.
    visible = visible_tickets(actor).filter(pk=OuterRef("ticket_id"))
    return (
        Notification.objects.filter(recipient=actor.user)
        .filter(Exists(visible))
        .select_related("ticket", "actor")
    )


def _item(notification: Notification) -> Item:
    actor = notification.actor
    return Item(
        id=notification.pk,
        kind=notification.kind,
        text=describe(
            notification.kind,
            actor=actor.display_name if actor is not None else "",
            number=notification.ticket.number,
            text=notification.text,
        ),
        ticket_id=notification.ticket_id,
        number=notification.ticket.number,
        subject=notification.ticket.subject,
        created_at=notification.created_at,
        unread=notification.read_at is None,
    )


def latest(actor: Actor, *, limit: int = 8) -> list[Item]:
    """The newest notifications, read or not, for the bell's panel."""
    rows = _mine(actor).order_by(*NEWEST_FIRST.order_by())[:limit]
    return [_item(n) for n in rows]


def page(actor: Actor, *, cursor: str | None, limit: int = 25) -> tuple[list[Item], str | None]:
    """One page of the full list, newest first, and the cursor of the next page."""
    result = paginate(_mine(actor), NEWEST_FIRST, limit=limit, cursor=cursor)
    return [_item(n) for n in result.items], result.next_cursor
