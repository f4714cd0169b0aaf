"""An agent writes first (issue 16): SMS with free text, WhatsApp with an approved template,
never Telegram, Messenger or Instagram; the customer's answer threads into the same ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from atiende.accounts.models import User
from atiende.accounts.services import add_identity
from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.messaging.channels import services
from atiende.messaging.channels.services import starting
from atiende.messaging.models import ChannelDeliveryState, ChannelDirection, ChannelMessage
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, Direction, Ticket
from tests.factories import SYSTEM, make_agent, make_customer, make_group, web
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    Conversation,
    deliver,
    open_account,
    sent_rows,
)

pytestmark = pytest.mark.django_db
WA_ID = "5491155550000"  # the number fake_graph's customer writes from, as Meta sends it


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def customer_with(**identities: str) -> User:
    customer = make_customer(name="Lucía Pérez")
    for channel, value in identities.items():
        add_identity(SYSTEM, user_id=customer.pk, channel=channel, value=value)
    return customer


def agent_for(chat: Conversation) -> User:
    assert chat.account.group is not None
    return make_agent(chat.account.group)


def start(chat: Conversation, customer: User, body: str, **extra: Any) -> Any:
    agent = extra.pop("agent", None) or agent_for(chat)
    return starting.start_conversation(
        web(agent), customer_id=customer.pk, account_id=chat.account.pk, body=body, **extra
    )


def refusal(raised: pytest.ExceptionInfo[Invalid]) -> tuple[str, str]:
    error = raised.value.errors[0]
    return error.field, str(error.message)


# --- SMS ------------------------------------------------------------------------------------


def test_an_sms_conversation_reaches_twilio_and_the_answer_threads_into_its_ticket(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    agent = agent_for(sms)

    message = start(sms, customer, "Hola Lucía, tu pedido está listo.", agent=agent)
    deliver()

    ticket = message.ticket
    assert (ticket.requester_id, ticket.group_id, ticket.assignee_id) == (
        customer.pk,
        sms.account.group_id,
        agent.pk,
    )
    assert ticket.channel == Channel.SMS
    assert (message.public, message.direction, message.channel) == (
        True,
        Direction.OUTBOUND,
        Channel.SMS,
    )
    opening = ticket.messages.order_by("pk").first()
    assert opening is not None and not opening.public  # the note of who started it where
    (request,) = twilio_api.requests
    assert request.form["To"] == [fake_twilio.CUSTOMER]
    assert request.form["Body"] == ["Hola Lucía, tu pedido está listo."]
    (row,) = sent_rows(message)
    assert row.state == ChannelDeliveryState.SENT and row.address == fake_twilio.CUSTOMER

    answered = sms.customer_writes("¡Gracias! Paso mañana.")

    assert answered.pk == ticket.pk
    latest = answered.messages.order_by("-pk").first()
    assert latest is not None and latest.author_id == customer.pk
    assert latest.body_text == "¡Gracias! Paso mañana."


def test_an_sms_number_without_its_country_code_is_refused(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms="55 1234 5678")
    sms = open_account("twilio_sms", twilio_api.base_url, client)

    with pytest.raises(Invalid) as raised:
        start(sms, customer, "Hola")

    assert refusal(raised)[0] == "account_id" and "country code" in refusal(raised)[1]
    assert not Ticket.objects.exists()


# --- WhatsApp -------------------------------------------------------------------------------


def test_whatsapp_starts_with_an_approved_template_and_the_answer_threads_in(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = customer_with(whatsapp="+" + WA_ID)
    chat = open_account("whatsapp", fake_graph.base_url, client, templates="aviso_pedido:es_AR")

    message = start(chat, customer, "Lucía\n#4521", template="aviso_pedido")
    deliver()

    assert message.body_text == "WhatsApp template “aviso_pedido” (es_AR)\nLucía\n#4521"
    (request,) = fake_graph.requests
    assert request.json["to"] == WA_ID
    assert request.json["type"] == "template"
    assert request.json["template"]["name"] == "aviso_pedido"
    assert request.json["template"]["language"] == {"code": "es_AR"}
    (row,) = sent_rows(message)
    assert row.state == ChannelDeliveryState.SENT and row.address == WA_ID

    answered = chat.customer_writes("Sí, lo retiro hoy")

    assert answered.pk == message.ticket_id
    assert answered.requester_id == customer.pk


def test_whatsapp_free_text_is_refused_outside_the_window(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = customer_with(whatsapp="+" + WA_ID)
    chat = open_account("whatsapp", fake_graph.base_url, client, templates="aviso_pedido")

    with pytest.raises(Invalid) as raised:
        start(chat, customer, "Hola, ¿seguís interesada?")

    assert refusal(raised)[0] == "template"
    assert not Ticket.objects.exists() and not fake_graph.requests


def test_whatsapp_without_templates_offers_nothing(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = customer_with(whatsapp="+" + WA_ID)
    chat = open_account("whatsapp", fake_graph.base_url, client)

    (found,) = starting.offers(web(agent_for(chat)), customer)

    assert not found.allowed and "templates" in found.refusal
    with pytest.raises(Invalid):
        start(chat, customer, "Hola")


def test_a_template_of_another_account_is_refused(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = customer_with(whatsapp="+" + WA_ID)
    chat = open_account("whatsapp", fake_graph.base_url, client, templates="aviso_pedido")

    with pytest.raises(Invalid) as raised:
        start(chat, customer, "Hola", template="promo_falsa")

    assert refusal(raised)[0] == "template"


def test_whatsapp_free_text_within_the_window_of_a_closed_conversation(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    """The customer wrote an hour ago and that ticket is closed: Meta still takes free text."""
    customer = customer_with(whatsapp="+" + WA_ID)
    chat = open_account("whatsapp", fake_graph.base_url, client)
    earlier = chat.customer_writes("Hola")
    agent = agent_for(chat)
    tickets.update_ticket(
        web(agent), ticket_id=earlier.pk, version=None, changes={"status": "closed"}
    )

    message = start(chat, customer, "Te escribo por lo de ayer", agent=agent)
    deliver()

    assert message.ticket_id != earlier.pk
    assert fake_graph.requests[-1].json["text"]["body"] == "Te escribo por lo de ayer"


# --- refused --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "channel", "value", "words"),
    [
        ("telegram", "telegram", "777000111", "Telegram bots cannot write first"),
        ("messenger", "facebook", "6998123454321", "Messenger lets a page answer only"),
        ("instagram", "instagram", "17841412345678", "Instagram lets a page answer only"),
    ],
)
def test_providers_where_the_customer_must_write_first_are_refused(
    client: Client, provider: str, channel: str, value: str, words: str
) -> None:
    customer = customer_with(**{channel: value})
    chat = open_account(provider, "http://127.0.0.1:9", client)

    (found,) = starting.offers(web(agent_for(chat)), customer)
    with pytest.raises(Invalid) as raised:
        start(chat, customer, "Hola")

    assert not found.allowed and words in found.refusal
    assert refusal(raised) == ("account_id", found.refusal)
    assert not Ticket.objects.exists()


def test_a_customer_without_an_identity_on_the_channel_is_refused(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(whatsapp="+" + WA_ID)  # WhatsApp, no SMS number
    sms = open_account("twilio_sms", twilio_api.base_url, client)

    with pytest.raises(Invalid) as raised:
        start(sms, customer, "Hola")

    assert refusal(raised)[0] == "account_id" and "no SMS identity" in refusal(raised)[1]
    other = customer_with(sms="+34600111222")
    with pytest.raises(Invalid) as raised:
        start(sms, customer, "Hola", identity_id=other.identities.get(channel="sms").pk)
    assert refusal(raised)[0] == "identity_id"


def test_an_inactive_account_is_refused_and_not_offered(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    agent = agent_for(sms)
    services.deactivate_account(SYSTEM, account_id=sms.account.pk)

    (found,) = starting.offers(web(agent), customer)
    with pytest.raises(Invalid) as raised:
        start(sms, customer, "Hola", agent=agent)

    assert found.account is None and not found.allowed
    assert refusal(raised)[0] == "account_id"


def test_an_agent_outside_the_accounts_group_cannot_start(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    outsider = make_agent(make_group())

    assert not starting.offers(web(outsider), customer)[0].allowed
    with pytest.raises(Invalid) as raised:
        start(sms, customer, "Hola", agent=outsider)
    assert refusal(raised)[0] == "account_id"
    with pytest.raises(Forbidden):
        starting.start_conversation(
            web(customer), customer_id=customer.pk, account_id=sms.account.pk, body="Hola"
        )


def test_an_open_conversation_is_answered_where_it_is(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    ongoing = sms.customer_writes("Hola, ¿me ayudan?")

    with pytest.raises(Conflict) as raised:
        start(sms, customer, "Hola")

    assert raised.value.extra == {"conversation_ticket_id": ongoing.pk}
    assert Ticket.objects.count() == 1


def test_an_empty_first_message_writes_nothing(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)

    with pytest.raises(Invalid) as raised:
        start(sms, customer, "   ")

    assert refusal(raised)[0] == "body"
    assert not Ticket.objects.exists()
    assert not ChannelMessage.objects.filter(direction=ChannelDirection.OUTBOUND).exists()


def test_a_failed_send_shows_on_the_started_message(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = customer_with(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    twilio_api.unsubscribed.add(fake_twilio.CUSTOMER)

    message = start(sms, customer, "Hola")
    with time_machine.travel(timedelta(seconds=1)):
        deliver()

    (row,) = sent_rows(message)
    assert row.state == ChannelDeliveryState.FAILED and "21610" in row.reason
