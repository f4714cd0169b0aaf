"""The visitor's socket: a chat becomes a ticket, replies come back live, reconnection catches
up, resends are written once, strangers and floods are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from atiende.accounts.services import note_seen
from atiende.messaging.chat import widgets
from atiende.messaging.models import ChatSession, ChatState
from atiende.realtime import conf
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket
from tests.factories import SYSTEM, make_agent, make_group, web
from tests.messaging.chat.conftest import make_widget, receive_type, visitor_socket
from tests.realtime.conftest import HandClock

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

db = database_sync_to_async


def _team() -> tuple[Any, Any, Any]:
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    note_seen(agent.pk)  # online now
    return group, agent, make_widget(group)


async def _say(comm: Any, client_id: str, text: str) -> Any:
    await comm.send_json_to({"type": "message", "client_id": client_id, "text": text})
    return await receive_type(comm, "ack", "refused")


async def test_first_message_opens_a_chat_ticket_in_the_widgets_group(
    visit: Callable[..., Any],
) -> None:
    group, _agent, widget = await db(_team)()
    comm, welcome = await visit(widget)
    assert welcome["agents_available"] is True
    assert welcome["started"] is False and welcome["messages"] == []
    token = welcome["token"]
    assert len(token) >= 32

    ack = await _say(comm, "c1", "Hola, ¿tienen envío a Montevideo?")
    assert ack["type"] == "ack" and ack["duplicate"] is False
    second = await _say(comm, "c2", "Es para mañana")
    assert second["type"] == "ack"

    ticket = await db(Ticket.objects.select_related("requester").get)()
    assert ticket.channel == "chat" and ticket.group_id == group.pk
    assert ticket.subject == "Hola, ¿tienen envío a Montevideo?"
    bodies = await db(
        lambda: list(ticket.messages.order_by("pk").values_list("body_text", "channel"))
    )()
    assert bodies == [
        ("Hola, ¿tienen envío a Montevideo?", "chat"),
        ("Es para mañana", "chat"),
    ]
    session = await db(ChatSession.objects.get)()
    assert session.ticket_id == ticket.pk and session.state == ChatState.WAITING
    assert session.page_url == "https://shop.example.com/pricing"
    assert session.referrer == "https://www.search.example/?q=shop"
    assert "TestBrowser" in session.user_agent and session.language == "es"
    assert session.token_digest != token  # only the digest is kept
    # An anonymous visitor: a customer known by a chat identity.
    identity = await db(lambda: list(ticket.requester.identities.values_list("channel", "value")))()
    assert identity == [("chat", f"visitor-{session.visitor_key}")]
    await comm.disconnect()


async def test_an_agents_reply_reaches_the_visitor_and_typing_goes_both_ways(
    visit: Callable[..., Any],
) -> None:
    _group, agent, widget = await db(_team)()
    comm, _welcome = await visit(widget)
    await _say(comm, "c1", "¿Hay talle M?")
    ticket = await db(Ticket.objects.get)()
    # The visitor's own message comes back as part of the transcript (other tabs see it).
    echoed = await receive_type(comm, "messages")
    assert [m["from"] for m in echoed["messages"]] == ["visitor"]

    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="Sí, queda uno.")
    frame = await receive_type(comm, "messages")
    assert [(m["from"], m["name"], m["text"]) for m in frame["messages"]] == [
        ("agent", "Ana", "Sí, queda uno.")
    ]
    session = await db(ChatSession.objects.get)()
    assert session.state == ChatState.ACTIVE and session.agent_id == agent.pk
    # An internal note never reaches the visitor.
    await db(tickets.add_message)(web(agent), ticket_id=ticket.pk, body="VIP", public=False)

    # The visitor types: a presence event for the agents on the ticket page.
    from atiende.realtime.models import LiveEvent

    await comm.send_json_to({"type": "typing"})
    await comm.send_json_to({"type": "ping"})
    await receive_type(comm, "pong")
    typed = await db(lambda: LiveEvent.objects.filter(type="presence").last())()
    assert typed.ticket_id == ticket.pk and typed.payload["visitor"] == {"typing": True}

    # The agent types on the ticket page: the widget hears it.
    from atiende.realtime import presence

    routing = await db(presence.watched_ticket)(agent.pk, ticket.pk)
    await db(presence.watch)(connection="agent-tab", user_id=agent.pk, ticket=routing)
    await db(presence.typing)(connection="agent-tab", ticket_id=ticket.pk)
    await db(presence.announce)(routing)
    typing = await receive_type(comm, "typing", "messages")
    assert typing == {"type": "typing", "from": "agent", "name": "Ana"}
    await comm.disconnect()


async def test_a_reconnection_catches_up_with_what_it_missed(visit: Callable[..., Any]) -> None:
    _group, agent, widget = await db(_team)()
    comm, welcome = await visit(widget)
    ack = await _say(comm, "c1", "¿Siguen ahí?")
    await comm.disconnect()
    ticket = await db(Ticket.objects.get)()
    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="Sí, perdón la demora.")
    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="¿Qué modelo buscás?")

    again, caught_up = await visit(widget, token=welcome["token"], last_id=ack["id"])
    assert caught_up["token"] == welcome["token"] and caught_up["started"] is True
    assert [m["text"] for m in caught_up["messages"]] == [
        "Sí, perdón la demora.",
        "¿Qué modelo buscás?",
    ]
    # Without a position (a new tab), the transcript from the start.
    third, fresh = await visit(widget, token=welcome["token"])
    assert [m["text"] for m in fresh["messages"]] == [
        "¿Siguen ahí?",
        "Sí, perdón la demora.",
        "¿Qué modelo buscás?",
    ]
    await again.disconnect()
    await third.disconnect()


async def test_a_resend_with_the_same_client_id_is_written_once(visit: Callable[..., Any]) -> None:
    _group, _agent, widget = await db(_team)()
    comm, welcome = await visit(widget)
    first = await _say(comm, "c-42", "Mi pedido no llegó")
    await comm.disconnect()
    # The connection dropped before the ack arrived; the widget sends it again.
    again, _ = await visit(widget, token=welcome["token"])
    resent = await _say(again, "c-42", "Mi pedido no llegó")
    assert resent == {**first, "duplicate": True}
    assert await db(Message.objects.count)() == 1
    await again.disconnect()


async def test_a_page_from_an_origin_not_allowed_is_refused() -> None:
    widget = await db(make_widget)()
    comm = await visitor_socket(widget, origin="https://evil.example.net")
    await comm.connect()
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4403}
    missing = await visitor_socket(widget, origin="")
    await missing.connect()
    assert await missing.receive_output() == {"type": "websocket.close", "code": 4403}
    # This Atiende's own pages (the portal) may, whatever the list says.
    own = await visitor_socket(widget, origin="https://help.example.org")
    connected, _ = await own.connect()
    assert connected
    await own.disconnect()


async def test_an_unknown_or_inactive_widget_is_refused() -> None:
    widget = await db(make_widget)()
    await db(widgets.update_widget)(SYSTEM, widget_id=widget.pk, changes={"active": False})
    comm = await visitor_socket(widget)
    await comm.connect()
    assert await comm.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_a_hundred_messages_a_second_are_refused_past_the_burst_and_said_so(
    visit: Callable[..., Any],
) -> None:
    clock = HandClock()
    with conf.use_clock(clock):
        _group, _agent, widget = await db(_team)()
        comm, _ = await visit(widget)
        for n in range(100):
            await comm.send_json_to({"type": "message", "client_id": f"m{n}", "text": f"spam {n}"})
        answers = [await receive_type(comm, "ack", "refused", "slow_down") for _ in range(101)]
        acks = [a for a in answers if a["type"] == "ack"]
        refused = [a for a in answers if a["type"] == "refused"]
        slow = [a for a in answers if a["type"] == "slow_down"]
        assert len(acks) == 10 and len(refused) == 90 and len(slow) == 1
        assert {r["code"] for r in refused} == {"slow_down"}
        assert [r["client_id"] for r in refused] == [f"m{n}" for n in range(10, 100)]
        assert await db(Message.objects.count)() == 10
        # A moment later the visitor may write again: the refused ones can be resent.
        clock.advance(3)
        resent = await _say(comm, "m10", "spam 10")
        assert resent["type"] == "ack"
        await comm.disconnect()


async def test_bad_frames_get_a_clear_answer(visit: Callable[..., Any]) -> None:
    _group, _agent, widget = await db(_team)()
    comm = await visitor_socket(widget)
    await comm.connect()
    await comm.send_to("not json")
    assert (await receive_type(comm, "error"))["code"] == "bad_message"
    await comm.send_json_to({"type": "message", "client_id": "x", "text": "hi"})
    assert (await receive_type(comm, "error"))["code"] == "hello_first"
    await comm.send_json_to({"type": "hello", "last_id": -1})
    assert (await receive_type(comm, "error"))["code"] == "bad_last_id"
    await comm.send_json_to({"type": "hello", "token": "forged-or-expired"})
    welcome = await receive_type(comm, "welcome")
    assert welcome["token"] != "forged-or-expired"  # a new chat, nobody else's
    for frame, field in [
        ({"client_id": "", "text": "hi"}, "client_id"),
        ({"client_id": "a", "text": ""}, "text"),
        ({"client_id": "b", "text": "x" * 4001}, "text"),
        ({"client_id": "c", "text": "hi", "attachment_ids": ["1"]}, "attachment_ids"),
        ({"client_id": "d", "text": "hi", "attachment_ids": [99999]}, "attachment_ids"),
    ]:
        await comm.send_json_to({"type": "message", **frame})
        refused = await receive_type(comm, "refused")
        assert refused["field"] == field, refused
    await comm.send_json_to({"type": "dance"})
    assert (await receive_type(comm, "error"))["code"] == "unknown_type"
    assert await db(Message.objects.count)() == 0
    await comm.disconnect()
