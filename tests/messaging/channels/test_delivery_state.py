"""What can go wrong between our send and the customer: a provider that fails, times out,
throttles or refuses; an account without its settings; a receipt for a message we never sent.
Each ends in a state the timeline shows, with the provider's reason, nothing sent twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from atiende.core.event_types import MessageDeliveryChanged
from atiende.messaging.channels.services import sending
from atiende.messaging.models import ChannelDeliveryState, ChannelPayload, ChannelPayloadState
from atiende.outbox.delivery import MAX_ATTEMPTS
from atiende.outbox.models import Effect, EffectState
from atiende.realtime.models import LiveEvent
from atiende.tickets.models import Message
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    Conversation,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE
    settings.ATIENDE_CHANNEL_SEND_TIMEOUT = 0.5  # the fake hangs longer than this


def whatsapp(client: Client, api: graph.FakeGraph) -> tuple[Conversation, Message]:
    chat = open_account("whatsapp", api.base_url, client)
    ticket = chat.customer_writes("Hola, ¿me ayudan?")
    return chat, agent_replies(ticket, "Claro, contame.")


def send_effect(message: Message) -> Effect:
    return Effect.objects.get(key=f"channels.send:{message.pk}")


def test_a_provider_500_is_retried_after_the_backoff_then_sent(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, reply = whatsapp(client, fake_graph)
    fake_graph.fail(500)
    now = timezone.now()

    deliver(now)

    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.QUEUED
    effect = send_effect(reply)
    assert effect.state == EffectState.PENDING and "HTTP 500" in effect.last_error
    assert effect.next_attempt_at == now + timedelta(seconds=30)

    deliver(now + timedelta(seconds=31))

    row.refresh_from_db()
    assert row.state == ChannelDeliveryState.SENT and row.provider_id
    assert len(fake_graph.requests) == 2
    assert send_effect(reply).state == EffectState.DELIVERED


def test_a_provider_that_times_out_is_retried(client: Client, fake_graph: graph.FakeGraph) -> None:
    _chat, reply = whatsapp(client, fake_graph)
    fake_graph.hang(5.0)
    now = timezone.now()

    deliver(now)

    assert sent_rows(reply)[0].state == ChannelDeliveryState.QUEUED
    assert "no answer from 127.0.0.1" in send_effect(reply).last_error
    deliver(now + timedelta(minutes=1))
    assert sent_rows(reply)[0].state == ChannelDeliveryState.SENT


def test_a_429_waits_the_retry_after_the_provider_asked_for(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, reply = whatsapp(client, fake_graph)
    fake_graph.throttle(retry_after=120)
    now = timezone.now()

    deliver(now)

    assert send_effect(reply).next_attempt_at == now + timedelta(seconds=120)
    deliver(now + timedelta(seconds=60))  # the backoff alone would have tried by now
    assert len(fake_graph.requests) == 1
    deliver(now + timedelta(seconds=121))
    assert len(fake_graph.requests) == 2
    assert sent_rows(reply)[0].state == ChannelDeliveryState.SENT


def test_a_400_rejection_fails_at_once_with_the_providers_reason(
    client: Client, fake_graph: graph.FakeGraph, published: list[object]
) -> None:
    _chat, reply = whatsapp(client, fake_graph)
    fake_graph.graph_error(
        131026, "Message undeliverable", details="The recipient is not a WhatsApp user"
    )

    deliver()
    deliver(timezone.now() + timedelta(hours=2))

    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.FAILED
    assert row.reason == (
        "HTTP 400: code 131026: Message undeliverable: The recipient is not a WhatsApp user"
    )
    assert len(fake_graph.requests) == 1  # no retry
    assert send_effect(reply).state == EffectState.DELIVERED
    (changed,) = [e for e in published if isinstance(e, MessageDeliveryChanged)]
    assert (changed.old_state, changed.new_state) == ("queued", "failed")
    assert changed.message_id == reply.pk and changed.reason == row.reason


def test_the_last_attempt_gives_up_with_the_last_reason(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, reply = whatsapp(client, fake_graph)
    fake_graph.answer_next(503, b"busy", times=MAX_ATTEMPTS)
    now = timezone.now()

    for attempt in range(MAX_ATTEMPTS):
        deliver(now + timedelta(hours=2 * attempt))

    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.FAILED and row.reason == "HTTP 503: busy"
    assert len(fake_graph.requests) == MAX_ATTEMPTS


def test_an_account_without_its_settings_fails_the_message_and_says_why(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    ticket = chat.customer_writes("Hola")
    chat.account.settings = {
        "account_sid": fake_twilio.ACCOUNT_SID,
        "api_base": twilio_api.base_url,
    }
    chat.account.save()
    reply = agent_replies(ticket, "Hola, ¿qué necesitás?")

    deliver()

    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.FAILED
    assert row.reason == (
        "The channel account's settings are incomplete: "
        "The Twilio account has no from_number setting."
    )
    assert not twilio_api.requests


def test_a_receipt_for_a_message_we_never_sent_is_ignored_with_its_reason(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    chat.receipt("SM" + "9" * 32, "delivered")

    payload = ChannelPayload.objects.get()
    assert payload.state == ChannelPayloadState.IGNORED
    assert payload.reason == (
        f"Delivery report for a message we did not send (SM{'9' * 32}): ignored."
    )


def test_a_late_delivered_after_read_does_not_move_back_nor_announce(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat, reply = whatsapp(client, fake_graph)
    deliver()
    (row,) = sent_rows(reply)
    chat.receipt(row.provider_id, "read")
    before = LiveEvent.objects.filter(type="message.delivery").count()

    chat.receipt(row.provider_id, "delivered")

    row.refresh_from_db()
    assert row.state == ChannelDeliveryState.READ
    assert LiveEvent.objects.filter(type="message.delivery").count() == before


def test_each_state_change_reaches_the_live_timeline(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat, reply = whatsapp(client, fake_graph)
    deliver()
    (row,) = sent_rows(reply)
    chat.receipt(row.provider_id, "delivered")

    live = LiveEvent.objects.filter(type="message.delivery").order_by("id")
    assert [(e.payload["message_id"], e.payload["state"]) for e in live] == [
        (reply.pk, "sent"),
        (reply.pk, "delivered"),
    ]
    assert all(e.ticket_id == reply.ticket_id for e in live)


def test_text_parts_cut_between_words_and_never_exceed_the_limit() -> None:
    text = "uno dos tres cuatro cinco seis siete ocho nueve diez"
    parts = sending.text_parts(text, 12)
    assert all(len(part) <= 12 for part in parts)
    assert " ".join(parts) == text
    assert sending.text_parts("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert sending.text_parts("😀" * 6, 4) == ["😀" * 2, "😀" * 2, "😀" * 2]  # UTF-16 units


# --- the timeline ----------------------------------------------------------------------------


def test_the_timeline_shows_the_channel_and_the_state_in_words(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat, reply = whatsapp(client, fake_graph)
    deliver()
    fake_graph.graph_error(131047, "Re-engagement message")
    second = agent_replies(reply.ticket, "¿Seguís ahí?", agent=reply.author)
    deliver()
    (row,) = sent_rows(reply)
    chat.receipt(row.provider_id, "read")
    client.force_login(reply.author)

    html = client.get(f"/tickets/{reply.ticket_id}/timeline/").content.decode()

    assert html.count('data-provider="whatsapp">WhatsApp</span>') == 3  # in, out, out
    assert '<span aria-hidden="true">✓✓</span> Read</span>' in html
    assert 'data-state="failed" title="HTTP 400: code 131047: Re-engagement message"' in html
    assert "Not delivered: HTTP 400: code 131047: Re-engagement message" in html
    assert sent_rows(second)[0].state == ChannelDeliveryState.FAILED


def test_the_timeline_reads_the_channel_side_in_one_query(
    client: Client, fake_graph: graph.FakeGraph, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from atiende.web.ticket import page
    from tests.factories import web

    _chat, reply = whatsapp(client, fake_graph)
    ticket, agent = reply.ticket, reply.author

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            page.timeline(web(agent), ticket)
        return sum("messaging_channelmessage" in q["sql"] for q in seen.captured_queries)

    assert queries() == 1
    for n in range(4):
        agent_replies(ticket, f"Mensaje {n}", agent=agent)
    deliver()
    assert queries() == 1
