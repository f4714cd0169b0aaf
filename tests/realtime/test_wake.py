"""An event written by this process wakes its log readers at once (``realtime.wake``): the
poll interval stops being the floor of a chat's round trip. Events from other processes still
arrive on the poll; a rolled-back write rings nobody."""

from __future__ import annotations

import asyncio
import threading

import psycopg
import pytest
from channels.db import database_sync_to_async
from django.conf import LazySettings
from django.db import connection, transaction

from atiende.messaging.chat.relay import Relay
from atiende.realtime import log, wake
from atiende.realtime.hub import Hub
from atiende.realtime.models import LiveEvent
from tests.realtime.test_hub import FOREVER, Clock, Recorder, admin_viewer, pg_params

# A bound on waiting for what a ring brings: far below the hour-long poll these tests set, so
# only the ring can deliver in time; not a sleep, the wait ends as soon as it arrives.
PROMPTLY = 10.0


class Counting(wake.Bell):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.rings = 0

    def ring(self) -> None:
        self.rings += 1


def append_in_transaction(*, commit: bool) -> None:
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            log.append("ticket.updated", payload={}, ticket_id=1)
            if not commit:
                raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_commit_rings_once_and_a_rollback_rings_nobody() -> None:
    bell = Counting(asyncio.new_event_loop())
    wake.listen(bell)
    try:
        append_in_transaction(commit=False)
        assert bell.rings == 0
        append_in_transaction(commit=True)
        assert bell.rings == 1
    finally:
        wake.forget(bell)
        bell.loop.close()


@pytest.mark.asyncio
async def test_a_ring_from_another_thread_ends_the_wait() -> None:
    bell = wake.Bell(asyncio.get_running_loop())
    threading.Thread(target=bell.ring).start()
    await asyncio.wait_for(bell.wait(FOREVER), PROMPTLY)


def test_a_bell_whose_loop_closed_is_forgotten() -> None:
    loop = asyncio.new_event_loop()
    bell = wake.Bell(loop)
    wake.listen(bell)
    loop.close()
    wake.ring()
    assert bell not in wake._bells


class Arrival(Recorder):
    """A socket stand-in that also signals each event it is given."""

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id)
        self.arrived = asyncio.Event()

    async def deliver(self, event: LiveEvent) -> None:
        await super().deliver(event)
        self.arrived.set()


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_hub_delivers_an_event_written_here_without_waiting_for_its_poll(
    settings: LazySettings,
) -> None:
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER, "VIEWER_REFRESH_SECONDS": FOREVER}
    hub = Hub(asyncio.get_running_loop(), clock=Clock())
    listener = Arrival(user_id=1)
    await hub.join(listener, admin_viewer(1))
    try:
        await database_sync_to_async(append_in_transaction)(commit=True)
        await asyncio.wait_for(listener.arrived.wait(), PROMPTLY)
        assert len(listener.got) == 1
    finally:
        hub.leave(listener)
    assert hub.bell not in wake._bells


class Follower:
    def __init__(self) -> None:
        self.got: list[int] = []
        self.arrived = asyncio.Event()

    async def deliver(self, event: LiveEvent) -> None:
        self.got.append(event.pk)
        self.arrived.set()


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_chat_relay_delivers_an_event_written_here_without_waiting_for_its_poll(
    settings: LazySettings,
) -> None:
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER}
    relay = Relay(asyncio.get_running_loop())
    follower = Follower()
    await relay.join(follower)
    relay.follow(follower, 1)
    try:

        def message_added() -> None:
            with transaction.atomic():
                log.append("message.added", payload={}, ticket_id=1)

        await database_sync_to_async(message_added)()
        await asyncio.wait_for(follower.arrived.wait(), PROMPTLY)
        assert len(follower.got) == 1
    finally:
        relay.leave(follower)
    assert relay.bell not in wake._bells


HOLD_MESSAGE = (
    "INSERT INTO realtime_liveevent (created_at, type, ticket_id, payload)"
    " VALUES (now(), 'message.added', 1, '{}') RETURNING id"
)


@pytest.mark.asyncio
@pytest.mark.usefixtures("thread_connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_relay_delivers_a_lower_id_that_commits_after_the_one_that_woke_it(
    settings: LazySettings,
) -> None:
    """PostgreSQL: an agent's reply written by a web worker (a lower id, still open) while the
    live server's own write commits and wakes the relay still reaches the visitor once it
    commits; the relay used to skip it for good."""
    if connection.vendor != "postgresql":
        pytest.skip("ids commit out of order on PostgreSQL only")
    settings.ATIENDE_REALTIME = {"POLL_SECONDS": FOREVER}
    relay = Relay(asyncio.get_running_loop())
    follower = Follower()

    def message_added() -> int:
        with transaction.atomic():
            return log.append("message.added", payload={}, ticket_id=1).pk

    await database_sync_to_async(message_added)()  # the log's position, as in production
    await relay.join(follower)
    relay.follow(follower, 1)
    try:
        with psycopg.connect(**pg_params()) as other:  # the web worker's reply, not committed
            low = other.execute(HOLD_MESSAGE).fetchone()[0]  # type: ignore[index]
            high = await database_sync_to_async(message_added)()
            await asyncio.wait_for(follower.arrived.wait(), PROMPTLY)
            assert follower.got == [high]
            other.commit()
        await relay.poll()
        assert follower.got == [high, low]
    finally:
        relay.leave(follower)
