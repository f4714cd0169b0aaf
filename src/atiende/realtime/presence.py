"""Who views and who types on a ticket, across web processes: one row per watching socket.

A socket refreshes its row with a heartbeat; rows older than the presence TTL are ignored
(a tab closed without a goodbye, a process that died) and purged by the periodic task.
Changes (join, leave, typing) are announced through the live event log as ``presence``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.realtime import conf, log
from atiende.realtime.models import Presence
from atiende.tickets.selectors import visible_tickets

ROUTING = ("pk", "group_id", "assignee_id", "requester_id")


@dataclass(frozen=True)
class TicketRouting:
    """What decides who may hear about a ticket (see ``access.may_receive``)."""

    pk: int
    group_id: int | None
    assignee_id: int | None
    requester_id: int | None


def watched_ticket(user_id: int, ticket_id: int) -> TicketRouting | None:
    """The routing columns of ``ticket_id`` if the user may see it now, else ``None``.

    The user is read afresh: a socket lives for hours and its groups may have changed.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    viewer = Actor(user=user, source=Source.WEB)
    row = visible_tickets(viewer).filter(pk=ticket_id).values_list(*ROUTING).first()
    return TicketRouting(*row) if row is not None else None


def viewers(ticket_id: int) -> list[dict[str, Any]]:
    """The people on ``ticket_id`` now, each once, in the order they came, and who types."""
    now = timezone.now()
    rows = (
        Presence.objects.filter(
            ticket_id=ticket_id,
            seen_at__gte=now - timedelta(seconds=conf.value("PRESENCE_TTL_SECONDS")),
        )
        .select_related("user")
        .order_by("pk")
    )
    typing_since = now - timedelta(seconds=conf.value("TYPING_SECONDS"))
    people: dict[int, dict[str, Any]] = {}
    for row in rows:
        typing = row.typing_at is not None and row.typing_at >= typing_since
        person = people.setdefault(
            row.user_id, {"id": row.user_id, "name": row.user.display_name, "typing": False}
        )
        person["typing"] = person["typing"] or typing
    return list(people.values())


def announce(ticket: TicketRouting) -> int:
    """Log the current viewers of ``ticket`` for every socket on it; return the event id."""
    event = log.append(
        "presence",
        payload={"ticket_id": ticket.pk, "viewers": viewers(ticket.pk)},
        ticket_id=ticket.pk,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        requester_id=ticket.requester_id,
    )
    return event.pk


@transaction.atomic
def watch(*, connection: str, user_id: int, ticket: TicketRouting) -> tuple[bool, int | None]:
    """Record that ``connection`` shows ``ticket``.

    Returns (changed, left): whether this is news (a join, not a heartbeat) and the ticket the
    connection watched before, if it switched.
    """
    now = timezone.now()
    row = Presence.objects.select_for_update().filter(connection=connection).first()
    if row is None:
        Presence.objects.create(
            connection=connection, ticket_id=ticket.pk, user_id=user_id, seen_at=now
        )
        return True, None
    if row.ticket_id == ticket.pk:
        stale = row.seen_at < now - timedelta(seconds=conf.value("PRESENCE_TTL_SECONDS"))
        row.seen_at = now
        row.save(update_fields=["seen_at"])
        return stale, None
    left = row.ticket_id
    row.ticket_id, row.seen_at, row.typing_at = ticket.pk, now, None
    row.save(update_fields=["ticket_id", "seen_at", "typing_at"])
    return True, left


def typing(*, connection: str, ticket_id: int) -> bool:
    """Mark ``connection`` as typing on ``ticket_id``; True if others should be told now.

    Reports within a third of the typing window are absorbed, so a fast typist costs at most
    one event every couple of seconds.
    """
    now = timezone.now()
    quiet = now - timedelta(seconds=conf.value("TYPING_SECONDS") / 3)
    updated = Presence.objects.filter(connection=connection, ticket_id=ticket_id).exclude(
        typing_at__gte=quiet
    )
    return updated.update(typing_at=now, seen_at=now) > 0


def leave(*, connection: str) -> int | None:
    """Forget ``connection``; return the ticket it watched, if any."""
    row = Presence.objects.filter(connection=connection).first()
    if row is None:
        return None
    row.delete()
    return row.ticket_id


def routing(ticket_id: int) -> TicketRouting | None:
    """A ticket's routing columns (for announcing a departure), read as the system."""
    row = visible_tickets(log.READER).filter(pk=ticket_id).values_list(*ROUTING).first()
    return TicketRouting(*row) if row is not None else None


def purge(*, now: Any = None) -> int:
    cutoff = (now or timezone.now()) - timedelta(seconds=conf.value("PRESENCE_TTL_SECONDS"))
    deleted, _ = Presence.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
