"""The live event log: the one writer of ``LiveEvent`` and the reads the web processes make.

Writers append one row inside the transaction of the change it reports, in whatever process
made the change (a web worker, the task worker, a shell), so the row commits with the change or
not at all. Readers scan forward by primary key (``hub``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Max, Min
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.realtime import conf, store, wake
from atiende.realtime.models import LiveEvent
from atiende.tickets import config_cache
from atiende.tickets.models import Priority, Status
from atiende.tickets.selectors import ticket_for_live_log

READER = Actor.system("realtime")
BATCH = 500


def append(
    type: str,
    *,
    payload: dict[str, Any],
    ticket_id: int | None = None,
    group_id: int | None = None,
    assignee_id: int | None = None,
    requester_id: int | None = None,
    user_id: int | None = None,
) -> LiveEvent:
    """Write one event; every web process delivers it to the sockets allowed to see it."""
    event = LiveEvent(
        type=type,
        ticket_id=ticket_id,
        group_id=group_id,
        assignee_id=assignee_id,
        requester_id=requester_id,
        user_id=user_id,
        payload=payload,
    )
    store.insert_event(event)  # inside every ticket write: built once, not per call
    wake.ring_after_commit()  # this process's readers read it at once, not on their next poll
    return event


def ticket_summary(ticket_id: int) -> dict[str, Any] | None:
    """What the workspace shows of a ticket in a list, and who may see it; one query.

    Never message bodies: a live event says *that* something changed; pages fetch the rest
    through their own scoped views. Status and priority keys come from the configuration
    snapshot, not a join (this runs inside every ticket write's transaction).
    """
    ticket = ticket_for_live_log(ticket_id)
    if ticket is None:
        return None
    return summarize(
        ticket_id=ticket_id,
        number=ticket.number,
        subject=ticket.subject,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        requester_id=ticket.requester_id,
        status_id=ticket.status_id,
        priority_id=ticket.priority_id,
        version=ticket.version,
    )


def summarize(
    *,
    ticket_id: int,
    number: int,
    subject: str,
    group_id: int | None,
    assignee_id: int | None,
    requester_id: int,
    status_id: int,
    priority_id: int,
    version: int,
) -> dict[str, Any]:
    """A ticket's summary from its values; status and priority keys from the snapshot."""
    snapshot = config_cache.snapshot()
    status = next((s for s in snapshot.statuses if s.pk == status_id), None)
    priority = next((p for p in snapshot.priorities if p.pk == priority_id), None)
    if status is None or priority is None:  # configured moments ago in another process
        status, priority = Status.objects.get(pk=status_id), Priority.objects.get(pk=priority_id)
    return {
        "ticket_id": ticket_id,
        "number": number,
        "subject": subject,
        "status": status.key,
        "status_category": status.category,
        "priority": priority.key,
        "group_id": group_id,
        "assignee_id": assignee_id,
        "requester_id": requester_id,
        "version": version,
    }


def append_ticket_event(
    type: str, ticket_id: int, *, summary: dict[str, Any] | None = None, **extra: Any
) -> LiveEvent | None:
    """Log ``type`` for a ticket with its summary (read unless given); nothing if the ticket
    is gone."""
    if summary is None:
        summary = ticket_summary(ticket_id)
    if summary is None:
        return None
    return append(
        type,
        payload={**summary, **extra},
        ticket_id=ticket_id,
        group_id=summary["group_id"],
        assignee_id=summary["assignee_id"],
        requester_id=summary["requester_id"],
    )


def latest_id() -> int:
    """The newest event id, 0 for an empty log."""
    return int(LiveEvent.objects.aggregate(top=Max("pk"))["top"] or 0)


def oldest_id() -> int | None:
    low: int | None = LiveEvent.objects.aggregate(low=Min("pk"))["low"]
    return low


def events_after(last_id: int, *, up_to: int | None = None, limit: int = BATCH) -> list[LiveEvent]:
    """Events newer than ``last_id`` (and not newer than ``up_to``), oldest first."""
    events = LiveEvent.objects.filter(pk__gt=last_id)
    if up_to is not None:
        events = events.filter(pk__lte=up_to)
    return list(events.order_by("pk")[:limit])


def events_by_id(ids: list[int]) -> list[LiveEvent]:
    return list(LiveEvent.objects.filter(pk__in=ids).order_by("pk"))


def ids_between(low: int, high: int) -> list[int]:
    """The ids committed in ``(low, high]``, to find which ones are still missing."""
    return list(
        LiveEvent.objects.filter(pk__gt=low, pk__lte=high)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def commits_out_of_order() -> bool:
    """Whether a lower log id can commit after a higher one (PostgreSQL; SQLite serialises
    writers, so its ids are visible in order and a missing id is never coming)."""
    return connections[router.db_for_read(LiveEvent)].vendor == "postgresql"


def snapshot() -> tuple[int, int]:
    """``(xmin, xmax)`` of a fresh PostgreSQL snapshot: every transaction with an xid below
    ``xmin`` has ended; every one that had an xid when it was taken is below ``xmax``."""
    with connections[router.db_for_read(LiveEvent)].cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint"
            " FROM pg_current_snapshot() AS s"
        )
        xmin, xmax = cursor.fetchone()
    return int(xmin), int(xmax)


def purge(*, now: Any = None) -> int:
    """Forget events older than the retention; return how many.

    The newest event always stays, so the log's position survives a quiet weekend and a page
    that saw it can still tell "nothing happened" from "too much happened".
    """
    cutoff = (now or timezone.now()) - timedelta(hours=conf.value("RETENTION_HOURS"))
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff).exclude(pk=latest_id()).delete()
    return deleted
