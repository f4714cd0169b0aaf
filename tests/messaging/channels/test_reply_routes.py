"""Which way a reply takes: the channel the customer last used (and then no mail), email when
the agent picks it, WhatsApp's 24-hour window and its templates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from atiende.accounts import services as accounts
from atiende.accounts.models import User
from atiende.accounts.services import add_identity
from atiende.core.actor import Actor, Source
from atiende.core.errors import Invalid
from atiende.messaging.channels import routes
from atiende.messaging.models import ChannelDeliveryState, OutboundEmail
from atiende.outbox import delivery
from atiende.outbox.models import Effect, EffectState
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, Message, Ticket
from tests.api.conftest import ApiClient
from tests.factories import SYSTEM, make_agent, make_customer, make_ticket, web
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    Conversation,
    agent_of,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)

pytestmark = pytest.mark.django_db
WA_ID = "5491155550000"


@pytest.fixture
def as_user() -> Any:
    """A JSON client of the API with a user's personal token (``tests/api``'s)."""

    def make(user: User) -> ApiClient:
        _, token = accounts.create_api_token(SYSTEM, user=user, name="tests")
        return ApiClient(client=Client(), token=token, user=user)

    return make


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def lucia() -> User:
    """A customer with a real-looking email and the WhatsApp number the fake writes from."""
    customer = make_customer(name="Lucía Pérez", email="lucia@correo.com.ar")
    add_identity(SYSTEM, user_id=customer.pk, channel="whatsapp", value=WA_ID)
    return customer


def whatsapp_ticket(
    client: Client, api: graph.FakeGraph, **settings: str
) -> tuple[Conversation, Ticket]:
    chat = open_account("whatsapp", api.base_url, client, **settings)
    return chat, chat.customer_writes("Hola, soy Lucía")


def test_a_channel_ticket_gets_no_received_mail_and_its_reply_is_not_mailed(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    lucia()
    _chat, ticket = whatsapp_ticket(client, fake_graph)

    reply = agent_replies(ticket, "Hola Lucía, ¿en qué te ayudo?")
    deliver()

    assert not Effect.objects.filter(kind="mail.received").exists()
    assert not OutboundEmail.objects.exists()
    assert sent_rows(reply)[0].state == ChannelDeliveryState.SENT


def test_the_agent_may_answer_a_whatsapp_conversation_by_email(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    lucia()
    _chat, ticket = whatsapp_ticket(client, fake_graph)

    reply = agent_replies(ticket, "Te mando el detalle por correo.", via="email")
    deliver()

    assert reply.channel == Channel.EMAIL
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [["lucia@correo.com.ar"]]
    assert not fake_graph.requests and not sent_rows(reply)


def test_routes_offer_the_conversation_first_and_default_to_the_last_used(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    lucia()
    chat, ticket = whatsapp_ticket(client, fake_graph)

    offered = routes.reachable(ticket)

    assert [route.value for route in offered] == [f"channel:{chat.account.pk}", "email"]
    assert offered[0].label == f"WhatsApp · whatsapp account ({WA_ID})"
    assert routes.default_route(ticket, offered) == offered[0]


def test_a_ticket_continued_by_email_defaults_to_email(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = lucia()
    _chat, ticket = whatsapp_ticket(client, fake_graph)
    tickets.add_message(
        web(customer), ticket_id=ticket.pk, body="Les escribo por mail", channel="email"
    )

    offered = routes.reachable(ticket)

    default = routes.default_route(ticket, offered)
    assert default is not None and default.value == "email"


def test_an_unknown_way_is_refused(client: Client, fake_graph: graph.FakeGraph) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph)  # no email: WhatsApp only

    with pytest.raises(Invalid) as raised:
        agent_replies(ticket, "Hola", via="email")

    assert raised.value.errors[0].field == "via"
    with pytest.raises(Invalid):
        agent_replies(ticket, "Hola", via="channel:999999")


def test_sms_to_the_customer_of_a_whatsapp_ticket_when_they_wrote_by_sms_before(
    client: Client, fake_graph: graph.FakeGraph, twilio_api: fake_twilio.FakeTwilio
) -> None:
    _wa, ticket = whatsapp_ticket(client, fake_graph)
    # The same person wrote by SMS before (their number is one of their identities).
    add_identity(SYSTEM, user_id=ticket.requester_id, channel="sms", value=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    assert sms.customer_writes("Hola por SMS").requester_id == ticket.requester_id

    reply = agent_replies(ticket, "Te escribo por SMS", via=f"channel:{sms.account.pk}")
    deliver()

    assert reply.channel == Channel.SMS
    assert twilio_api.requests[0].form["To"] == [fake_twilio.CUSTOMER]
    assert not fake_graph.requests


# --- WhatsApp's 24-hour window ------------------------------------------------------------------


def test_outside_the_window_a_free_text_is_refused_and_the_composer_says_so(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph, templates="seguimiento:es, encuesta")
    agent = agent_of(ticket)

    with time_machine.travel(timedelta(hours=25)):
        with pytest.raises(Invalid) as raised:
            agent_replies(ticket, "¿Seguís ahí?", agent=agent)
        client.force_login(agent)
        page = client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert raised.value.errors[0].field == "body"
    assert "more than 24 hours ago" in str(raised.value.errors[0].message)
    assert "only an approved template can reach them there" in page
    assert '<option value="seguimiento:es">seguimiento (es)</option>' in page
    assert '<option value="encuesta:es">encuesta (es)</option>' in page
    assert not sent_rows_of(ticket)


def sent_rows_of(ticket: Ticket) -> list[Any]:
    return [row for message in ticket.messages.all() for row in sent_rows(message)]


def test_outside_the_window_an_approved_template_is_sent_with_its_values(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph, templates="seguimiento:es_AR")

    with time_machine.travel(timedelta(hours=30)):
        reply = agent_replies(ticket, "Lucía\n#4521", template="seguimiento")
        deliver()

    assert reply.body_text == "WhatsApp template “seguimiento” (es_AR)\nLucía\n#4521"
    (request,) = fake_graph.requests
    assert request.json["type"] == "template"
    assert request.json["template"] == {
        "name": "seguimiento",
        "language": {"code": "es_AR"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Lucía"},
                    {"type": "text", "text": "#4521"},
                ],
            }
        ],
    }
    assert sent_rows(reply)[0].state == ChannelDeliveryState.SENT


def test_a_template_the_account_does_not_list_is_refused(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph, templates="seguimiento")

    with pytest.raises(Invalid) as raised:
        agent_replies(ticket, "", template="promo_verano")

    assert raised.value.errors[0].field == "template"


def test_a_reply_that_bypasses_the_composer_outside_the_window_fails_unsent(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph)
    agent = agent_of(ticket)

    with time_machine.travel(timedelta(hours=25)):
        reply = tickets.reply(web(agent), ticket_id=ticket.pk, body="¿Seguís ahí?")
        deliver()

    (row,) = sent_rows(reply)
    assert row.state == ChannelDeliveryState.FAILED
    assert "more than 24 hours ago" in row.reason
    assert not fake_graph.requests


# --- the doors: the composer and the API -----------------------------------------------------


def test_the_composer_offers_send_by_and_sends_the_way_chosen(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    lucia()
    chat, ticket = whatsapp_ticket(client, fake_graph)
    agent = agent_of(ticket)
    client.force_login(agent)

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<label for="composer-via">Send by</label>' in page
    assert f'<option value="channel:{chat.account.pk}" selected>' in page
    assert "Email (lucia@correo.com.ar)" in page

    answer = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Por **correo**", "public": "1", "via": "email"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    reply = ticket.messages.latest("id")
    assert reply.channel == Channel.EMAIL and not sent_rows(reply)

    answer = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Y por WhatsApp", "public": "1", "via": f"channel:{chat.account.pk}"},
        headers={"HX-Request": "true"},
    )
    reply = ticket.messages.latest("id")
    assert reply.channel == Channel.WHATSAPP and len(sent_rows(reply)) == 1


def test_the_composer_shows_a_refused_way_next_to_the_choice(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph)
    client.force_login(agent_of(ticket))

    answer = client.post(
        f"/tickets/{ticket.pk}/reply/",
        {"body": "Hola", "public": "1", "via": "email"},
        headers={"HX-Request": "true"},
    )

    assert answer.status_code == 422
    assert "The customer cannot be reached that way." in answer.content.decode()


def test_the_api_reply_takes_a_way_and_refuses_one_that_does_not_reach(
    client: Client, fake_graph: graph.FakeGraph, as_user: Any
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph)
    api = as_user(agent_of(ticket))

    refused = api.post(f"/tickets/{ticket.pk}/messages", {"body": "Hola", "via": "email"})
    sent = api.post(f"/tickets/{ticket.pk}/messages", {"body": "Hola", "via": "whatsapp"})
    deliver()

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "via"
    assert sent.status_code == 201 and sent.json()["channel"] == "whatsapp"
    assert fake_graph.requests[0].json["text"] == {"body": "Hola"}


# --- one decision, read by both handlers -------------------------------------------------------

WRITERS = {
    "composer": lambda ticket, body: agent_replies(ticket, body),
    "service": lambda ticket, body: tickets.reply(
        web(agent_of(ticket)), ticket_id=ticket.pk, body=body
    ),
}
ORDERS = [("mail.reply", "channels.send"), ("channels.send", "mail.reply")]


def effect_of(kind: str, reply: Message) -> Effect:
    return next(e for e in Effect.objects.filter(kind=kind) if e.payload["message_id"] == reply.pk)


def mails_of(reply: Message) -> int:
    return OutboundEmail.objects.filter(ticket_message=reply).count()


def texts_sent(api: graph.FakeGraph) -> list[str]:
    return [r.json["text"]["body"] for r in api.requests if r.json.get("type") == "text"]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_reply_decided_for_email_is_mailed_once_whatever_the_customer_writes_meanwhile(
    client: Client, fake_graph: graph.FakeGraph, writer: str, order: tuple[str, str]
) -> None:
    customer = lucia()
    chat, ticket = whatsapp_ticket(client, fake_graph)
    tickets.add_message(
        web(customer), ticket_id=ticket.pk, body="Les escribo por mail", channel="email"
    )
    deliver()
    reply = WRITERS[writer](ticket, "Te contesto por correo")
    assert not sent_rows(reply)  # decided at the reply: email

    # Between the reply's commit and each handler's run the customer's last-used way flips.
    chat.customer_writes("¿Me contestan por acá?")
    delivery.deliver(ids=[effect_of(order[0], reply).pk])
    tickets.add_message(web(customer), ticket_id=ticket.pk, body="O por mail", channel="email")
    delivery.deliver(ids=[effect_of(order[1], reply).pk])

    assert mails_of(reply) == 1
    assert "Te contesto por correo" not in texts_sent(fake_graph)
    assert not sent_rows(reply)
    assert {effect_of(kind, reply).state for kind in order} == {EffectState.DELIVERED}


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_reply_decided_for_whatsapp_goes_there_once_and_is_never_mailed(
    client: Client, fake_graph: graph.FakeGraph, writer: str, order: tuple[str, str]
) -> None:
    customer = lucia()
    chat, ticket = whatsapp_ticket(client, fake_graph)
    reply = WRITERS[writer](ticket, "Te contesto por WhatsApp")
    (queued,) = sent_rows(reply)  # decided at the reply: this conversation
    assert queued.state == ChannelDeliveryState.QUEUED

    tickets.add_message(web(customer), ticket_id=ticket.pk, body="Ahora por mail", channel="email")
    delivery.deliver(ids=[effect_of(order[0], reply).pk])
    chat.customer_writes("Volví a WhatsApp")
    delivery.deliver(ids=[effect_of(order[1], reply).pk])

    assert texts_sent(fake_graph) == ["Te contesto por WhatsApp"]
    assert mails_of(reply) == 0
    assert [row.state for row in sent_rows(reply)] == [ChannelDeliveryState.SENT]


def test_a_rule_reply_on_a_whatsapp_ticket_gets_its_route_in_its_own_transaction(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    _chat, ticket = whatsapp_ticket(client, fake_graph)

    rule = Actor(user=None, source=Source.RULE, detail="rule:1")

    reply = tickets.add_message(rule, ticket_id=ticket.pk, body="Recibimos tu consulta")

    # Written with the reply (the test's transaction has not committed: no handler ran).
    (row,) = sent_rows(reply)
    assert reply.channel == Channel.WEB
    assert (row.state, row.address, row.effect_key) == (ChannelDeliveryState.QUEUED, WA_ID, "")
    deliver()
    assert texts_sent(fake_graph) == ["Recibimos tu consulta"]
    assert not OutboundEmail.objects.exists()


def test_a_reply_to_a_customer_without_conversations_writes_no_route_and_is_mailed() -> None:
    ticket = make_ticket(lucia())
    agent = agent_of(ticket) if ticket.group is not None else make_agent()

    reply = tickets.reply(web(agent), ticket_id=ticket.pk, body="Hola Lucía")
    deliver()

    assert not sent_rows(reply)
    assert mails_of(reply) == 1
