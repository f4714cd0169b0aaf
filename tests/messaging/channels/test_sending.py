"""An agent's reply goes out on the customer's channel, end to end per adapter: the customer's
message through the real webhook view opens a ticket, the agent answers through the services,
the outbox delivers the send to a fake provider on loopback (which checks what it receives),
and the provider's receipt moves the message to delivered or read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.messaging.models import ChannelDeliveryState, OutboundEmail
from atiende.outbox.models import Effect, EffectState
from atiende.tickets.models import Message
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_telegram, fake_twilio
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def test_whatsapp_reply_is_sent_to_the_cloud_api_and_read_receipt_shown(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola, mi pedido no llegó")

    reply = agent_replies(ticket, "Lo revisamos ahora mismo.")
    assert [row.state for row in sent_rows(reply)] == [ChannelDeliveryState.QUEUED]
    deliver()

    (request,) = fake_graph.requests
    assert request.path == f"/v23.0/{graph.PHONE_NUMBER_ID}/messages"
    assert request.headers["authorization"] == f"Bearer {graph.ACCESS_TOKEN}"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5491155550000",
        "type": "text",
        "text": {"body": "Lo revisamos ahora mismo."},
    }
    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.SENT and row.provider_id.startswith("wamid.")

    chat.receipt(row.provider_id, "delivered")
    row.refresh_from_db()
    assert row.state == ChannelDeliveryState.DELIVERED
    chat.receipt(row.provider_id, "read")
    row.refresh_from_db()
    assert row.state == ChannelDeliveryState.READ
    assert not OutboundEmail.objects.exists()  # answered on WhatsApp, not by mail


def test_telegram_reply_is_a_send_message_to_the_chat(
    client: Client, telegram_api: fake_telegram.FakeTelegram
) -> None:
    chat = open_account("telegram", telegram_api.base_url, client)
    ticket = chat.customer_writes("¿Tienen envío a Rosario?")

    reply = agent_replies(ticket, "Sí, enviamos a todo el país.")
    deliver()

    (request,) = telegram_api.requests
    assert request.path == f"/bot{fake_telegram.TOKEN}/sendMessage"
    assert request.json == {
        "chat_id": fake_telegram.CHAT_ID,
        "text": "Sí, enviamos a todo el país.",
    }
    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.SENT
    assert row.provider_id.startswith(f"{fake_telegram.CHAT_ID}:")


def test_sms_reply_is_a_twilio_message_and_its_status_callback_delivers_it(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    ticket = chat.customer_writes("Necesito cambiar mi turno")

    reply = agent_replies(ticket, "Listo, quedó para el martes.")
    deliver()

    (request,) = twilio_api.requests
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.ACCOUNT_SID}/Messages.json"
    assert request.form == {
        "To": [fake_twilio.CUSTOMER],
        "From": [fake_twilio.OUR_NUMBER],
        "Body": ["Listo, quedó para el martes."],
    }
    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.SENT and row.provider_id.startswith("SM")

    chat.receipt(row.provider_id, "delivered")
    row.refresh_from_db()
    assert row.state == ChannelDeliveryState.DELIVERED


@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_meta_reply_goes_through_the_send_api(
    client: Client, fake_graph: graph.FakeGraph, provider: str
) -> None:
    chat = open_account(provider, fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola, ¿tienen talle M?")

    reply = agent_replies(ticket, "Sí, te lo reservamos.")
    deliver()

    (request,) = fake_graph.requests
    page = graph.PAGE_ID if provider == "messenger" else graph.IG_ID
    assert request.path == f"/v23.0/{page}/messages"
    assert request.json == {
        "recipient": {"id": "24850293784975"},
        "messaging_type": "RESPONSE",
        "message": {"text": "Sí, te lo reservamos."},
    }
    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.SENT and row.provider_id.startswith("m_")

    chat.receipt(row.provider_id, "delivered" if provider == "messenger" else "read")
    row.refresh_from_db()
    expected = ChannelDeliveryState.DELIVERED if provider == "messenger" else "read"
    assert row.state == expected


def test_a_long_sms_goes_in_parts_cut_between_paragraphs(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    ticket = chat.customer_writes("¿Qué cubre la garantía?")
    first, second = "Primera parte. " * 70, "Segunda parte. " * 40

    reply = agent_replies(ticket, f"{first.strip()}\n\n{second.strip()}")
    deliver()

    bodies = [request.form["Body"][0] for request in twilio_api.requests]
    assert bodies == [first.strip(), second.strip()]
    rows = sent_rows(reply)
    assert [row.part for row in rows] == [0, 1]
    assert {row.state for row in rows} == {ChannelDeliveryState.SENT}
    assert len({row.provider_id for row in rows}) == 2


def test_an_outbox_row_delivered_twice_sends_once(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola")
    reply = agent_replies(ticket, "¡Hola! ¿En qué te ayudo?")
    deliver()
    effect = Effect.objects.get(key=f"channels.send:{reply.pk}")
    assert effect.state == EffectState.DELIVERED

    # The worker's sweep finds the row again (a crash before it was marked, say).
    Effect.objects.filter(pk=effect.pk).update(state=EffectState.PENDING, next_attempt_at=None)
    Effect.objects.filter(pk=effect.pk).update(next_attempt_at=effect.created_at)
    deliver()

    assert len(fake_graph.requests) == 1
    assert len(sent_rows(reply)) == 1


def test_an_internal_note_is_sent_to_nobody(client: Client, fake_graph: graph.FakeGraph) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola")

    note = agent_replies(ticket, "Cliente VIP, ojo", public=False)
    deliver()

    assert not fake_graph.requests and not sent_rows(note)


def test_the_customers_own_message_is_not_sent_back(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    chat.customer_writes("Hola")
    chat.customer_writes("¿Hay alguien?")

    deliver()

    assert not fake_graph.requests
    assert Message.objects.count() == 2
