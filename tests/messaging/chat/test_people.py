"""Who a chat is from: a signed-in portal customer, the pre-chat email's person, an anonymous
visitor who leaves an email when nobody is there to answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async

from atiende.accounts.services import note_seen
from atiende.messaging.models import ChatSession, OutboundEmail, OutboundKind
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from tests.factories import make_agent, make_customer, make_group, web
from tests.messaging.chat.conftest import make_widget, receive_text, receive_type

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

db = database_sync_to_async
REQUIRED_FORM = [
    {"key": "name", "label": "", "required": True},
    {"key": "email", "label": "", "required": True},
    {"key": "order", "label": "Pedido", "required": False},
]


async def _say(comm: Any, client_id: str, text: str) -> Any:
    await comm.send_json_to({"type": "message", "client_id": client_id, "text": text})
    return await receive_type(comm, "ack", "refused")


async def test_a_signed_in_portal_customer_is_recognised(visit: Callable[..., Any]) -> None:
    def setup() -> tuple[Any, Any]:
        group = make_group()
        note_seen(make_agent(group).pk)
        widget = make_widget(group, prechat_fields=REQUIRED_FORM)
        return widget, make_customer(email="lucia@cliente.test", name="Lucía Gómez")

    widget, customer = await db(setup)()
    comm, welcome = await visit(widget, user=customer)
    # Name and email are known: the form asks nothing.
    assert welcome["missing"] == [] and welcome["email_known"] is True
    await _say(comm, "c1", "Quiero cambiar mi dirección")
    ticket = await db(Ticket.objects.get)()
    assert ticket.requester_id == customer.pk and ticket.channel == "chat"
    await comm.disconnect()


async def test_the_pre_chat_form_is_required_and_its_email_finds_the_customer(
    visit: Callable[..., Any],
) -> None:
    def setup() -> tuple[Any, Any]:
        group = make_group()
        note_seen(make_agent(group).pk)
        widget = make_widget(group, prechat_fields=REQUIRED_FORM)
        return widget, make_customer(email="marta@cliente.test", name="Marta")

    widget, known = await db(setup)()
    comm, welcome = await visit(widget)
    assert welcome["missing"] == ["name", "email"]
    refused = await _say(comm, "c1", "Hola")
    assert refused["type"] == "refused" and refused["field"] == "name"
    await comm.send_json_to({"type": "start", "fields": {"name": "Marta", "email": "no-email"}})
    error = await receive_type(comm, "error")
    assert error["field"] == "email"
    await comm.send_json_to(
        {
            "type": "start",
            "fields": {"name": "Marta", "email": "MARTA@cliente.test", "order": "A-7"},
        }
    )
    await receive_type(comm, "started")
    assert (await _say(comm, "c1", "Hola"))["type"] == "ack"
    ticket = await db(Ticket.objects.get)()
    assert ticket.requester_id == known.pk
    session = await db(ChatSession.objects.get)()
    assert session.details == {"order": "A-7"}
    await comm.disconnect()


async def test_with_nobody_online_the_chat_becomes_a_ticket_answered_by_email(
    visit: Callable[..., Any],
) -> None:
    def setup() -> tuple[Any, Any]:
        group = make_group()
        return make_widget(group), make_agent(group)  # the agent was never seen: offline

    widget, agent = await db(setup)()
    comm, welcome = await visit(widget)
    assert welcome["agents_available"] is False and welcome["email_known"] is False
    await _say(comm, "c1", "¿Abren el sábado?")
    await comm.send_json_to({"type": "contact", "email": "not an email"})
    assert (await receive_type(comm, "error"))["field"] == "email"
    await comm.send_json_to({"type": "contact", "email": "pablo@cliente.test"})
    assert (await receive_type(comm, "contact_saved"))["email_known"] is True
    await comm.disconnect()  # the visitor leaves the page

    ticket = await db(Ticket.objects.select_related("requester").get)()
    assert ticket.requester.email == "pablo@cliente.test"
    # The team answers later, from the workspace: the normal reply mail goes out.
    reply = await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="Sí, de 9 a 13.")
    mail = await db(OutboundEmail.objects.get)(kind=OutboundKind.REPLY)
    assert mail.to == ["pablo@cliente.test"] and mail.ticket_message_id == reply.pk


async def test_an_email_already_known_moves_the_anonymous_chat_to_that_customer(
    visit: Callable[..., Any],
) -> None:
    def setup() -> tuple[Any, Any]:
        return make_widget(make_group()), make_customer(email="rosa@cliente.test")

    widget, known = await db(setup)()
    comm, _ = await visit(widget)
    await _say(comm, "c1", "Soy Rosa, ¿cómo sigo mi pedido?")
    await comm.send_json_to({"type": "contact", "email": "rosa@cliente.test"})
    await receive_type(comm, "contact_saved")
    ticket = await db(Ticket.objects.get)()
    assert ticket.requester_id == known.pk
    # Later messages of the chat are hers too.
    assert (await _say(comm, "c2", "Es el pedido A-9"))["type"] == "ack"
    authors = await db(lambda: set(ticket.messages.values_list("author_id", flat=True)))()
    assert known.pk in authors
    await comm.disconnect()


async def test_no_reply_mail_while_the_visitor_reads_along(visit: Callable[..., Any]) -> None:
    def setup() -> tuple[Any, Any]:
        group = make_group()
        agent = make_agent(group)
        note_seen(agent.pk)
        return make_widget(group), agent

    widget, agent = await db(setup)()
    comm, _ = await visit(widget)
    await comm.send_json_to({"type": "contact", "email": "ines@cliente.test"})
    await receive_type(comm, "contact_saved")
    await _say(comm, "c1", "¿Tienen factura A?")
    ticket = await db(Ticket.objects.get)()
    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="Sí.")
    await receive_text(comm, "Sí.")
    assert not await db(OutboundEmail.objects.filter(kind=OutboundKind.REPLY).exists)()
    await comm.disconnect()  # gone: the next reply is mailed
    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="¿Algo más?")
    mail = await db(OutboundEmail.objects.get)(kind=OutboundKind.REPLY)
    assert mail.to == ["ines@cliente.test"]
