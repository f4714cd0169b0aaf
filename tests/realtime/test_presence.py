"""Presence: who views and who types on a ticket, shared through the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import LazySettings

from atiende.realtime.models import Presence
from tests.factories import make_agent, make_group, make_ticket
from tests.realtime.conftest import FAST, messages_until, receive_type

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def names(message: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(v["name"], v["typing"]) for v in message["viewers"]]


async def test_two_sockets_see_each_other_view_type_and_leave(
    connect: Callable[..., Any],
) -> None:
    group = await database_sync_to_async(make_group)()
    ana = await database_sync_to_async(make_agent)(group, name="Ana")
    luis = await database_sync_to_async(make_agent)(group, name="Luis")
    ticket = await database_sync_to_async(make_ticket)(group_id=group.pk)
    other = await database_sync_to_async(make_ticket)(group_id=group.pk)
    first, _ = await connect(ana)
    second, _ = await connect(luis)

    await first.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    assert names(await receive_type(first, "presence")) == [("Ana", False)]
    await second.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    joined = await receive_type(first, "presence")
    assert joined["ticket_id"] == ticket.pk and isinstance(joined["id"], int)
    assert names(joined) == [("Ana", False), ("Luis", False)]
    assert names(await receive_type(second, "presence")) == [("Ana", False), ("Luis", False)]

    await second.send_json_to({"type": "typing", "ticket_id": ticket.pk})
    assert names(await receive_type(first, "presence")) == [("Ana", False), ("Luis", True)]

    # A heartbeat answers the sender alone, without a log event.
    await first.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    beat = await receive_type(first, "presence")
    assert beat["id"] is None and names(beat) == [("Ana", False), ("Luis", True)]

    # Switching tickets leaves the first one.
    await second.send_json_to({"type": "watch", "ticket_id": other.pk})
    assert names(await receive_type(first, "presence")) == [("Ana", False)]

    await second.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    assert len((await receive_type(first, "presence"))["viewers"]) == 2
    await second.disconnect()
    assert names(await receive_type(first, "presence")) == [("Ana", False)]
    await first.disconnect()
    assert await database_sync_to_async(Presence.objects.count)() == 0


async def test_presence_on_a_ticket_goes_only_to_its_watchers(
    connect: Callable[..., Any],
) -> None:
    group = await database_sync_to_async(make_group)()
    ana, luis = await database_sync_to_async(lambda: (make_agent(group), make_agent(group)))()
    ticket = await database_sync_to_async(make_ticket)(group_id=group.pk)
    watcher, _ = await connect(ana)
    elsewhere, _ = await connect(luis)
    await watcher.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    await receive_type(watcher, "presence")
    sentinel = await database_sync_to_async(make_ticket)(group_id=group.pk)
    before = await messages_until(elsewhere, "ticket.created", ticket_id=sentinel.pk)
    assert [m for m in before if m["type"] == "presence"] == []
    await watcher.disconnect()
    await elsewhere.disconnect()


async def test_watching_a_ticket_out_of_scope_is_refused(connect: Callable[..., Any]) -> None:
    mine, other = await database_sync_to_async(lambda: (make_group(), make_group()))()
    agent = await database_sync_to_async(make_agent)(mine)
    hidden = await database_sync_to_async(make_ticket)(group_id=other.pk)
    comm, _ = await connect(agent)
    await comm.send_json_to({"type": "watch", "ticket_id": hidden.pk})
    error = await receive_type(comm, "error")
    assert error == {"type": "error", "code": "not_found", "ticket_id": hidden.pk}
    await comm.send_json_to({"type": "typing", "ticket_id": hidden.pk})
    assert (await receive_type(comm, "error"))["code"] == "not_watching"
    assert await database_sync_to_async(Presence.objects.count)() == 0
    await comm.disconnect()


async def test_repeated_typing_reports_are_absorbed(
    connect: Callable[..., Any], settings: LazySettings
) -> None:
    settings.ATIENDE_REALTIME = {**FAST, "CLIENT_GAP_SECONDS": 5.0}
    group = await database_sync_to_async(make_group)()
    ana, luis = await database_sync_to_async(lambda: (make_agent(group), make_agent(group)))()
    ticket = await database_sync_to_async(make_ticket)(group_id=group.pk)
    watcher, _ = await connect(ana)
    typist, _ = await connect(luis)
    await watcher.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    assert [v["id"] for v in (await receive_type(watcher, "presence"))["viewers"]] == [ana.pk]
    await typist.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    joined = await receive_type(watcher, "presence")
    assert {v["id"]: v["typing"] for v in joined["viewers"]} == {ana.pk: False, luis.pk: False}
    for _ in range(5):
        await typist.send_json_to({"type": "typing", "ticket_id": ticket.pk})
    # A socket handles its messages in order: the answer to a bad one means all five were read.
    await typist.send_json_to({"type": "launch"})
    await receive_type(typist, "error")
    sentinel = await database_sync_to_async(make_ticket)(group_id=group.pk)
    seen = await messages_until(watcher, "ticket.created", ticket_id=sentinel.pk)
    updates = [m for m in seen if m["type"] == "presence"]
    assert len(updates) == 1
    assert {v["id"]: v["typing"] for v in updates[0]["viewers"]} == {ana.pk: False, luis.pk: True}
    # A heartbeat right after the join is dropped too: no answer.
    await typist.send_json_to({"type": "watch", "ticket_id": ticket.pk})
    await typist.send_json_to({"type": "launch"})
    answers = await messages_until(typist, "error")
    assert [m for m in answers if m["type"] == "presence" and m["id"] is None] == []
    await watcher.disconnect()
    await typist.disconnect()
