"""Time spent on tickets: a running timer per agent and ticket, stopped entries, manual entries.

Every write adds to ``Ticket.time_spent_seconds`` with an ``F`` expression (never a read-modify-
write) and records a ``TicketEvent``, so the ticket's total and its history always agree. Time
is not an edited field of the ticket: its ``version`` stays, so logging time never makes an open
edit form stale.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import Conflict, ErrorCollector, Forbidden, Invalid
from atiende.core.events import publish
from atiende.core.permissions import require_staff
from atiende.core.text import clean_text
from atiende.tickets import audit, store
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Ticket, TimeEntry
from atiende.tickets.selectors import checked_ticket, visible_tickets
from atiende.tickets.services import announce

MAX_ENTRY_SECONDS = 24 * 3600
MAX_NOTE = 500


def _require_agent(actor: Actor) -> User:
    """Time belongs to a person: the system and customers log none."""
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only agents can log time."))
    return actor.user


def _add_time(actor: Actor, ticket: Ticket, entry: TimeEntry) -> None:
    """Add ``entry`` to the ticket's total and to its history, then tell listeners."""
    store.add_time_spent(ticket.pk, entry.seconds)
    records = [
        audit.event(
            ticket,
            actor,
            "time_logged",
            field="time_spent",
            new={"entry_id": entry.pk, "seconds": entry.seconds, "note": entry.note},
        )
    ]
    audit.record(records)
    publish(announce.ticket_updated(actor, ticket.pk, records))


@transaction.atomic
def start_timer(actor: Actor, *, ticket_id: int) -> TimeEntry:
    """Start the agent's timer on a ticket; a second running timer is refused."""
    agent = _require_agent(actor)
    ticket = lock_visible_ticket(actor, ticket_id)
    if TimeEntry.objects.filter(ticket=ticket, agent=agent, running=True).exists():
        raise Conflict(_("Your timer on this ticket is already running."))
    entry = TimeEntry.objects.create(
        ticket=ticket, agent=agent, running=True, started_at=timezone.now()
    )
    audit.record([audit.event(ticket, actor, "timer_started", field="time_spent")])
    return entry


@transaction.atomic
def stop_timer(actor: Actor, *, ticket_id: int, note: str = "") -> TimeEntry:
    """Stop the agent's running timer and add its time (at most 24 hours) to the ticket."""
    agent = _require_agent(actor)
    ticket = lock_visible_ticket(actor, ticket_id)
    note = _clean_note(note)
    entry = TimeEntry.objects.filter(ticket=ticket, agent=agent, running=True).first()
    if entry is None or entry.started_at is None:
        raise Conflict(_("You have no running timer on this ticket."))
    elapsed = int((timezone.now() - entry.started_at).total_seconds())
    entry.seconds = max(0, min(elapsed, MAX_ENTRY_SECONDS))
    entry.running = False
    entry.note = note
    entry.save(update_fields=["seconds", "running", "note"])
    _add_time(actor, ticket, entry)
    return entry


@transaction.atomic
def log_time(actor: Actor, *, ticket_id: int, minutes: int, note: str = "") -> TimeEntry:
    """Record time worked without a timer: 1 minute to 24 hours, with an optional note."""
    agent = _require_agent(actor)
    errors = ErrorCollector()
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        errors.add("minutes", _("Enter a whole number of minutes."))
    elif minutes < 1 or minutes * 60 > MAX_ENTRY_SECONDS:
        errors.add(
            "minutes",
            _("Enter between 1 and %(max)d minutes.") % {"max": MAX_ENTRY_SECONDS // 60},
        )
    try:
        note = _clean_note(note)
    except Invalid as error:
        errors.errors.extend(error.errors)
    errors.raise_if_any()
    ticket = lock_visible_ticket(actor, ticket_id)
    entry = TimeEntry.objects.create(
        ticket=ticket, agent=agent, seconds=minutes * 60, note=note, running=False
    )
    _add_time(actor, ticket, entry)
    return entry


def _clean_note(note: str) -> str:
    note = " ".join(clean_text(note or "").split())
    if len(note) > MAX_NOTE:
        raise Invalid.field(
            "note", _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}
        )
    return note


# Reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketTime:
    """A ticket's time entries, newest first, with the total and the caller's running timer."""

    entries: list[TimeEntry]
    total_seconds: int
    running: TimeEntry | None
    more: int


def ticket_time(actor: Actor, ticket: Ticket | int, *, limit: int = 20) -> TicketTime:
    """The latest ``limit`` entries of a visible ticket (staff only) and its total."""
    require_staff(actor)
    ticket = checked_ticket(actor, ticket)
    entries = TimeEntry.objects.filter(ticket=ticket).select_related("agent")
    latest = list(entries.order_by("-created_at", "-id")[: limit + 1])
    running = None
    if actor.user is not None:
        running = next((e for e in latest if e.running and e.agent_id == actor.user.pk), None)
        if running is None:
            running = entries.filter(agent=actor.user, running=True).first()
    return TicketTime(
        entries=latest[:limit],
        total_seconds=ticket.time_spent_seconds,
        running=running,
        more=max(0, len(latest) - limit),
    )


def time_by_agent(
    actor: Actor,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    agent_ids: list[int] | None = None,
) -> dict[int, int]:
    """Seconds logged per agent in ``[start, end)`` on tickets the caller may see (staff only).

    Running timers count nothing until they stop. Feeds utilisation metrics.
    """
    require_staff(actor)
    entries: QuerySet[TimeEntry] = TimeEntry.objects.filter(
        ticket__in=visible_tickets(actor),
        running=False,
        created_at__gte=start,
        created_at__lt=end,
    )
    if agent_ids is not None:
        entries = entries.filter(agent_id__in=agent_ids)
    rows = entries.values("agent_id").annotate(total=Sum("seconds")).order_by("agent_id")
    return {row["agent_id"]: int(row["total"] or 0) for row in rows}
