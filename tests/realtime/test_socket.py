"""The workspace socket: who may connect, what each user receives, catching up, revocation."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import LazySettings
from django.db import connection
from django.utils import timezone

from atiende.accounts import services as accounts
from atiende.realtime import conf
from atiende.realtime.models import LiveEvent
from atiende.realtime.tasks import purge_live_events
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
    web,
)
from tests.realtime.conftest import (
    FAST,
    HandClock,
    communicator,
    messages_until,
    receive_type,
    session_cookie,
)

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

make_ticket_async = database_sync_to_async(make_ticket)


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of the test database this process uses, for a second process."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    user, password = settings_dict["USER"], settings_dict["PASSWORD"]
    auth = f"{user}:{password}@" if password else f"{user}@"
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


async def test_anonymous_is_refused_with_4401() -> None:
    comm = await communicator()
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_customer_is_refused_with_4403() -> None:
    customer = await database_sync_to_async(make_customer)()
    comm = await communicator(customer)
    await comm.connect()
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_agent_receives_tickets_they_may_see_and_nothing_else(
    connect: Callable[..., Any],
) -> None:
    mine, other = await database_sync_to_async(lambda: (make_group(), make_group()))()
    agent = await database_sync_to_async(make_agent)(mine)
    colleague = await database_sync_to_async(make_agent)(other)
    comm, welcome = await connect(agent)
    assert welcome["type"] == "welcome"

    hidden = await make_ticket_async(group_id=other.pk, subject="Other team's")
    seen = await make_ticket_async(group_id=mine.pk, subject="Printer on fire")
    event = await receive_type(comm, "ticket.created")
    assert event["ticket_id"] == seen.pk
    assert event["number"] == seen.number
    assert event["subject"] == "Printer on fire"
    assert event["status"] == "new"
    assert event["id"] > welcome["id"]
    assert "body" not in event and "body_text" not in event
    # Ungrouped tickets (the triage queue) and tickets assigned to the agent are visible too.
    triage = await make_ticket_async(subject="Unrouted")
    assert (await receive_type(comm, "ticket.created"))["ticket_id"] == triage.pk
    theirs = await make_ticket_async(group_id=other.pk, assignee_id=colleague.pk)
    sentinel = await make_ticket_async(subject="After the others")
    received = await messages_until(comm, "ticket.created", ticket_id=sentinel.pk)
    assert [m for m in received if m.get("ticket_id") in (hidden.pk, theirs.pk)] == []
    await comm.disconnect()


async def test_admin_receives_every_ticket(connect: Callable[..., Any]) -> None:
    group = await database_sync_to_async(make_group)()
    admin = await database_sync_to_async(make_admin)()
    comm, _ = await connect(admin)
    ticket = await make_ticket_async(group_id=group.pk)
    assert (await receive_type(comm, "ticket.created"))["ticket_id"] == ticket.pk
    await comm.disconnect()


async def test_updates_and_messages_arrive_without_bodies(connect: Callable[..., Any]) -> None:
    from atiende.tickets import services as tickets

    group = await database_sync_to_async(make_group)()
    agent = await database_sync_to_async(make_agent)(group)
    ticket = await make_ticket_async(group_id=group.pk)
    comm, _ = await connect(agent)

    await database_sync_to_async(tickets.add_message)(
        web(agent), ticket_id=ticket.pk, body="Secret internal note", public=False
    )
    added = await receive_type(comm, "message.added")
    assert added["ticket_id"] == ticket.pk and added["public"] is False
    assert "Secret internal note" not in str(added)
    await database_sync_to_async(tickets.update_ticket)(
        web(agent), ticket_id=ticket.pk, version=None, changes={"priority": "high"}
    )
    updated = await receive_type(comm, "ticket.updated")
    assert updated["fields"] == ["priority"] and updated["priority"] == "high"
    await comm.disconnect()


async def test_reconnect_catches_up_on_missed_visible_events(connect: Callable[..., Any]) -> None:
    mine, other = await database_sync_to_async(lambda: (make_group(), make_group()))()
    agent = await database_sync_to_async(make_agent)(mine)
    await make_ticket_async(group_id=mine.pk, subject="Seen before")
    comm, welcome = await connect(agent)
    await comm.disconnect()

    missed = await make_ticket_async(group_id=mine.pk, subject="While you were away")
    await make_ticket_async(group_id=other.pk, subject="Not yours")

    comm, _ = await communicator(agent), None
    await comm.connect()
    await comm.send_json_to({"type": "hello", "last_id": welcome["id"]})
    messages = [m for m in await messages_until(comm, "welcome") if m["type"] != "notification"]
    assert [m["type"] for m in messages] == ["ticket.created", "welcome"]
    assert messages[0]["ticket_id"] == missed.pk
    assert messages[1]["id"] >= messages[0]["id"]
    await comm.disconnect()


async def test_reconnect_after_the_log_was_purged_asks_for_a_reload(
    connect: Callable[..., Any],
) -> None:
    group = await database_sync_to_async(make_group)()
    agent = await database_sync_to_async(make_agent)(group)
    first = await make_ticket_async(group_id=group.pk)
    await make_ticket_async(group_id=group.pk)
    await make_ticket_async(group_id=group.pk)

    def age_and_purge() -> int:
        oldest = LiveEvent.objects.filter(ticket_id=first.pk).order_by("pk").first()
        assert oldest is not None
        LiveEvent.objects.filter(pk__lte=oldest.pk + 1).update(
            created_at=timezone.now() - timedelta(days=3)
        )
        purge_live_events.call()
        return oldest.pk

    seen_before = await database_sync_to_async(age_and_purge)()
    comm, answer = await connect(agent, last_id=seen_before - 1)
    assert answer["type"] == "reload"
    await comm.disconnect()


async def test_bad_messages_get_an_error_not_a_crash(connect: Callable[..., Any]) -> None:
    agent = await database_sync_to_async(make_agent)()
    comm, _ = await connect(agent)
    await comm.send_to(text_data="not json")
    assert (await receive_type(comm, "error"))["code"] == "bad_message"
    await comm.send_json_to({"type": "hello", "last_id": -3})
    assert (await receive_type(comm, "error"))["code"] == "bad_last_id"
    await comm.send_json_to({"type": "watch", "ticket_id": "seven"})
    assert (await receive_type(comm, "error"))["code"] == "bad_ticket_id"
    await comm.send_json_to({"type": "typing", "ticket_id": 1})
    assert (await receive_type(comm, "error"))["code"] == "not_watching"
    await comm.send_json_to({"type": "launch"})
    assert (await receive_type(comm, "error"))["code"] == "unknown_type"
    await comm.disconnect()


async def test_agent_removed_from_a_group_stops_receiving_its_events(
    connect: Callable[..., Any], settings: LazySettings
) -> None:
    """The periodic re-read of viewers, driven by a hand-moved clock: no waiting it out."""
    settings.ATIENDE_REALTIME = {**FAST, "VIEWER_REFRESH_SECONDS": 60.0}
    clock = HandClock()
    with conf.use_clock(clock):
        group = await database_sync_to_async(make_group)()
        agent = await database_sync_to_async(make_agent)(group)
        admin = await database_sync_to_async(make_admin)()
        comm, _ = await connect(agent)
        before = await make_ticket_async(group_id=group.pk)
        assert (await receive_type(comm, "ticket.created"))["ticket_id"] == before.pk

        await database_sync_to_async(accounts.update_group)(
            web(admin), group_id=group.pk, changes={"member_ids": []}
        )
        clock.advance(60.0)  # the refresh is due: the next poll re-reads the agent first
        after = await make_ticket_async(group_id=group.pk)
        sentinel = await make_ticket_async()  # ungrouped: every agent still sees it
        # Events arrive in log order: once the sentinel is here, ``after`` was passed over.
        seen = []
        while not seen or seen[-1].get("ticket_id") != sentinel.pk:
            seen.append(await receive_type(comm, "ticket.created"))
        assert after.pk not in [m["ticket_id"] for m in seen]
        await comm.disconnect()


async def test_suspended_agent_is_disconnected(connect: Callable[..., Any]) -> None:
    agent = await database_sync_to_async(make_agent)()
    admin = await database_sync_to_async(make_admin)()
    comm, _ = await connect(agent)
    await database_sync_to_async(accounts.update_user)(
        web(admin), user_id=agent.pk, changes={"is_active": False}
    )
    deadline = time.monotonic() + 3
    while True:
        output = await comm.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            break
        assert time.monotonic() < deadline
    assert output["code"] == 4403


async def test_event_written_by_another_connection_arrives_within_a_second(
    connect: Callable[..., Any],
) -> None:
    """Another process stands in as another thread with its own database connection."""
    group = await database_sync_to_async(make_group)()
    agent = await database_sync_to_async(make_agent)(group)
    comm, _ = await connect(agent)
    created: dict[str, Any] = {}

    def elsewhere() -> None:
        try:
            created["ticket"] = make_ticket(actor=SYSTEM, group_id=group.pk)
        finally:
            connection.close()

    started = time.monotonic()
    writer = threading.Thread(target=elsewhere)
    writer.start()
    await asyncio.get_running_loop().run_in_executor(None, writer.join)
    event = await receive_type(comm, "ticket.created", timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert event["ticket_id"] == created["ticket"].pk
    await comm.disconnect()


async def test_ticket_opened_by_another_process_arrives_within_a_second(
    connect: Callable[..., Any],
) -> None:
    """A real second process (``atiende manage shell``) writes to the same database file."""
    group = await database_sync_to_async(make_group)()
    agent = await database_sync_to_async(make_agent)(group)
    customer = await database_sync_to_async(make_customer)()
    comm, _ = await connect(agent)
    code = (
        "from atiende.accounts.models import User\n"
        "from atiende.core.actor import Actor\n"
        "from atiende.tickets.services import open_ticket\n"
        f"t = open_ticket(Actor.system('worker'), subject='From the worker', body='Hi',"
        f" requester=User.objects.get(pk={customer.pk}), group_id={group.pk})\n"
        "print(t.pk)\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("atiende")),
        "manage",
        "shell",
        "-c",
        code,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    finished = time.monotonic()
    assert process.returncode == 0, err.decode()
    ticket_id = int(out.decode().split()[-1])
    event = await receive_type(comm, "ticket.created", timeout=1.0)
    assert time.monotonic() - finished < 1.0
    assert event["ticket_id"] == ticket_id and event["subject"] == "From the worker"
    assert event["source"] == "system"
    await comm.disconnect()


async def test_a_foreign_origin_is_refused() -> None:
    from atiende.asgi import application
    from tests.realtime.communicator import WebsocketCommunicator

    agent = await database_sync_to_async(make_agent)()
    cookie = await database_sync_to_async(session_cookie)(agent)
    comm = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)]
    )
    connected, _ = await comm.connect()
    assert not connected


async def test_an_oversized_frame_is_refused_politely(connect: Callable[..., Any]) -> None:
    agent = await database_sync_to_async(make_agent)()
    comm, _ = await connect(agent)
    await comm.send_json_to({"type": "hello", "last_id": 0, "padding": "x" * 5000})
    assert (await receive_type(comm, "error"))["code"] == "bad_message"
    await comm.disconnect()


async def test_agents_of_the_old_group_learn_that_a_ticket_left(
    connect: Callable[..., Any],
) -> None:
    from atiende.tickets import services as tickets

    first, second = await database_sync_to_async(lambda: (make_group(), make_group()))()
    old_team = await database_sync_to_async(make_agent)(first)
    new_team = await database_sync_to_async(make_agent)(second)
    admin = await database_sync_to_async(make_admin)()
    ticket = await make_ticket_async(group_id=first.pk, subject="Moving on")
    old_socket, _ = await connect(old_team)
    new_socket, _ = await connect(new_team)

    await database_sync_to_async(tickets.update_ticket)(
        web(admin), ticket_id=ticket.pk, version=None, changes={"group_id": second.pk}
    )
    left = await receive_type(old_socket, "ticket.updated")
    assert left == {
        "type": "ticket.updated",
        "id": left["id"],
        "ticket_id": ticket.pk,
        "fields": ["group"],
        "left": True,
    }
    arrived = await receive_type(new_socket, "ticket.updated")
    assert arrived["subject"] == "Moving on" and arrived["group_id"] == second.pk
    sentinel = await make_ticket_async(subject="After the move")
    later = await messages_until(new_socket, "ticket.created", ticket_id=sentinel.pk)
    assert [m for m in later if m.get("left")] == []
    await old_socket.disconnect()
    await new_socket.disconnect()
