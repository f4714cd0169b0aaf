"""The per-process log reader: gaps in ids (PostgreSQL commit order), fan-out, the purge."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from channels.db import database_sync_to_async
from crontask import scheduler
from django.conf import LazySettings
from django.db import connection
from django.utils import timezone

from atiende.accounts.models import Role
from atiende.realtime import log
from atiende.realtime.access import Viewer
from atiende.realtime.hub import Hub
from atiende.realtime.models import LiveEvent
from atiende.realtime.tasks import purge_live_events
from atiende.tickets.visibility import EVERYTHING


class Recorder:
    """A socket stand-in that remembers what it was given."""

    def __init__(self, user_id: int, watching: int | None = None) -> None:
        self.user_id = user_id
        self.watching = watching
        self.got: list[int] = []
        self.revoked = False

    async def deliver(self, event: LiveEvent) -> None:
        self.got.append(event.pk)

    async def revoke(self) -> None:
        self.revoked = True


def admin_viewer(user_id: int) -> Viewer:
    return Viewer(user_id, Role.ADMIN, True, EVERYTHING)


FOREVER = 10.0**9  # seconds: no timed refresh during a test that polls by hand


class Clock:
    """The hub's injectable clock: tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def pg_params() -> dict[str, Any]:
    """Connection parameters of the test database, for a second, independent connection."""
    db = connection.settings_dict
    return {
        "dbname": db["NAME"],
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
    }


HOLD_ID = (
    "INSERT INTO realtime_liveevent (created_at, type, ticket_id, payload)"
    " VALUES (now(), 'ticket.updated', 1, '{}') RETURNING id"
)


async def settled(hub: Hub, seconds: float = 30.0) -> bool:
    """Poll until the hub has forgotten its gaps; False if it still has some after ``seconds``.

    A gap is forgotten once every transaction that might hold it has ended, which PostgreSQL
    tells cluster-wide: a parallel test worker's open transaction (in its own database) delays
    it. That wait is on other sessions, not on a timer, so it is real time, bounded.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        await hub.poll()
        if not hub.gaps:
            return True
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)


def append_committed() -> int:
    return log.append("ticket.updated", payload={}, ticket_id=1).pk


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_long_transaction_holding_a_low_id_is_delivered_when_it_commits(
    settings: LazySettings,
) -> None:
    """PostgreSQL: a low id committed a minute after a higher one still reaches the sockets."""
    if connection.vendor != "postgresql":
        pytest.skip("ids commit out of order on PostgreSQL only")
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER, "VIEWER_REFRESH_SECONDS": FOREVER}
    clock = Clock()
    hub = Hub(asyncio.get_running_loop(), clock=clock)
    listener = Recorder(user_id=1)
    # The log's newest row marks its position, as in production (the purge always keeps it);
    # a flushed test table would leave the hub far below the id sequence.
    await database_sync_to_async(append_committed)()
    await hub.join(listener, admin_viewer(1))
    with psycopg.connect(**pg_params()) as other:  # a long change, e.g. an import batch
        low = other.execute(HOLD_ID).fetchone()[0]  # type: ignore[index]
        high = await database_sync_to_async(append_committed)()  # a short one, committed
        await hub.poll()
        assert listener.got == [high] and low in hub.gaps
        clock.now += 60  # far past the old 2 s grace
        await hub.poll()
        await hub.poll()
        assert listener.got == [high] and low in hub.gaps  # still open: still waited for
        other.commit()
    await hub.poll()
    assert listener.got == [high, low]
    assert await settled(hub)  # once a snapshot proves the open transactions over
    assert listener.got == [high, low]
    hub.leave(listener)


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_id_of_a_rolled_back_transaction_is_forgotten_once_it_ended(
    settings: LazySettings,
) -> None:
    """PostgreSQL: the gap is kept while its transaction may commit, dropped once it cannot."""
    if connection.vendor != "postgresql":
        pytest.skip("ids commit out of order on PostgreSQL only")
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER, "VIEWER_REFRESH_SECONDS": FOREVER}
    hub = Hub(asyncio.get_running_loop(), clock=Clock())
    listener = Recorder(user_id=1)
    # The log's newest row marks its position, as in production (the purge always keeps it);
    # a flushed test table would leave the hub far below the id sequence.
    await database_sync_to_async(append_committed)()
    await hub.join(listener, admin_viewer(1))
    with psycopg.connect(**pg_params()) as other:
        low = other.execute(HOLD_ID).fetchone()[0]  # type: ignore[index]
        high = await database_sync_to_async(append_committed)()
        await hub.poll()
        await hub.poll()
        assert low in hub.gaps
        other.rollback()
    assert await settled(hub)  # the rolled-back id is read as absent, then forgotten
    assert listener.got == [high]
    hub.leave(listener)


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_hub_starting_while_a_low_id_is_open_delivers_it(settings: LazySettings) -> None:
    """PostgreSQL: ids below the log's top that are still being written at start are awaited."""
    if connection.vendor != "postgresql":
        pytest.skip("ids commit out of order on PostgreSQL only")
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER, "VIEWER_REFRESH_SECONDS": FOREVER}
    hub = Hub(asyncio.get_running_loop(), clock=Clock())
    listener = Recorder(user_id=1)
    with psycopg.connect(**pg_params()) as other:
        low = other.execute(HOLD_ID).fetchone()[0]  # type: ignore[index]
        high = await database_sync_to_async(append_committed)()
        assert await hub.join(listener, admin_viewer(1)) == high
        assert low in hub.gaps
        other.commit()
    await hub.poll()
    assert listener.got == [low]
    assert await settled(hub)
    assert listener.got == [low]
    hub.leave(listener)


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_missing_id_that_no_transaction_holds_is_not_awaited(
    settings: LazySettings,
) -> None:
    """A skipped id (a rollback, a sequence step) is forgotten: at once on SQLite, whose
    writers commit in id order, and on PostgreSQL once no transaction that could hold it is
    open."""
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER, "VIEWER_REFRESH_SECONDS": FOREVER}
    hub = Hub(asyncio.get_running_loop(), clock=Clock())
    listener = Recorder(user_id=1)
    start = await database_sync_to_async(log.latest_id)()
    await hub.join(listener, admin_viewer(1))

    def write(pk: int) -> None:
        LiveEvent.objects.create(pk=pk, type="ticket.updated", ticket_id=1, payload={})

    await database_sync_to_async(write)(start + 2)
    await hub.poll()
    assert listener.got == [start + 2]
    assert (start + 1 in hub.gaps) == (connection.vendor == "postgresql")
    assert await settled(hub)
    assert listener.got == [start + 2]
    hub.leave(listener)
    assert not hub.running


class GoneClient(Recorder):
    """A socket whose client went away: closing it fails."""

    async def revoke(self) -> None:
        raise RuntimeError("no connection to close")


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_revoking_a_socket_whose_client_is_gone_drops_it(settings: LazySettings) -> None:
    """The failed close must not stop the refresh: the socket is forgotten, the others served."""
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": 60}
    hub = Hub(asyncio.get_running_loop())
    gone = GoneClient(user_id=10**6)  # no such user: revoked by the refresh
    other = Recorder(user_id=10**6 + 1)  # no such user either: revoked too
    await hub.join(gone, admin_viewer(gone.user_id))
    await hub.join(other, admin_viewer(other.user_id))
    await hub.refresh_viewers()
    assert gone not in hub.listeners
    assert other.revoked
    hub.leave(other)
    assert not hub.running


@pytest.mark.django_db
def test_purge_keeps_recent_events_and_the_newest_one() -> None:
    old = [log.append("ticket.updated", payload={}, ticket_id=1) for _ in range(3)]
    LiveEvent.objects.filter(pk__in=[e.pk for e in old]).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert purge_live_events.call() == 2
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [old[-1].pk]
    fresh = log.append("ticket.updated", payload={}, ticket_id=1)
    assert purge_live_events.call() == 1
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_purge_is_scheduled() -> None:
    assert purge_live_events.name in {job.name for job in scheduler.get_jobs()}


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_a_socket_joining_during_a_refresh_is_not_dropped(settings: LazySettings) -> None:
    """The refresh reads the users connected when it started; a newcomer keeps its viewer."""
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": 60}
    hub = Hub(asyncio.get_running_loop())
    early = Recorder(user_id=10**6)  # no such user: revoked by the refresh
    await hub.join(early, admin_viewer(early.user_id))
    refresh = asyncio.ensure_future(hub.refresh_viewers())
    await asyncio.sleep(0)  # the refresh has read who is connected and awaits its query
    late = Recorder(user_id=10**6 + 1)
    await hub.join(late, admin_viewer(late.user_id))
    await refresh
    assert early.revoked and not late.revoked
    assert late.user_id in hub.viewers
    hub.leave(early)
    hub.leave(late)


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_live_event(on_commit: Any) -> None:
    from django.db import transaction

    from tests.factories import make_ticket

    before = LiveEvent.objects.count()
    with on_commit(), transaction.atomic():
        make_ticket(subject="Never happened")
        transaction.set_rollback(True)
    assert LiveEvent.objects.count() == before


@pytest.mark.django_db
def test_each_change_logs_exactly_one_event(on_commit: Any) -> None:
    from tests.factories import make_ticket

    with on_commit():
        ticket = make_ticket(subject="Once")
    assert list(LiveEvent.objects.filter(ticket_id=ticket.pk).values_list("type", flat=True)) == [
        "ticket.created"
    ]


@pytest.mark.django_db
def test_a_created_event_carries_the_summary_a_reader_would_read(on_commit: Any) -> None:
    """The creation summary is built from the event, not read back: it must say the same."""
    from tests.factories import make_agent, make_group, make_ticket

    group = make_group()
    agent = make_agent(group)
    with on_commit():
        ticket = make_ticket(
            subject="Printer on fire", group_id=group.pk, assignee_id=agent.pk, priority="urgent"
        )
    event = LiveEvent.objects.get(type="ticket.created", ticket_id=ticket.pk)
    summary = log.ticket_summary(ticket.pk)
    assert summary is not None and summary["priority"] == "urgent"
    assert {k: event.payload[k] for k in summary} == summary
    assert (event.group_id, event.assignee_id) == (group.pk, agent.pk)
