"""The customer page offers to write first where the provider allows it, and the start page
opens the ticket and sends (issue 16)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.accounts.services import add_identity
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_agent, make_customer
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.conversing import TASKS_AT_ONCE, deliver, open_account
from tests.messaging.channels.fake_graph import fake_graph
from tests.messaging.channels.fake_twilio import twilio_api_fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SignedIn = Callable[[User], Client]
__all__ = ["fake_graph", "twilio_api_fixture"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def text(response: Any) -> str:
    return str(response.content.decode())


def lucia(**identities: str) -> User:
    customer = make_customer(name="Lucía Pérez")
    for channel, value in identities.items():
        add_identity(SYSTEM, user_id=customer.pk, channel=channel, value=value)
    return customer


def test_the_customer_page_offers_sms_and_says_why_not_telegram(
    signed_in: SignedIn, client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = lucia(sms=fake_twilio.CUSTOMER, telegram="777000111")
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    open_account("telegram", "http://127.0.0.1:9", client)
    agent = make_agent(sms.account.group)

    page = text(signed_in(agent).get(reverse("customer", args=[customer.pk])))

    assert "Start a conversation" in page
    start = reverse("customer-start-conversation", args=[customer.pk])
    assert f'href="{start}?offer=' in page
    assert "Write on SMS · twilio_sms account (+5215512345678)" in page
    assert "Telegram bots cannot write first" in page


def test_a_customer_with_no_messaging_identity_gets_no_block(signed_in: SignedIn) -> None:
    customer = make_customer(name="Sin Teléfono")

    page = text(signed_in(make_agent()).get(reverse("customer", args=[customer.pk])))

    assert "cx-start-conversation" not in page


def test_the_start_page_sends_an_sms_and_opens_the_ticket(
    signed_in: SignedIn, client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = lucia(sms=fake_twilio.CUSTOMER)
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    agent = make_agent(sms.account.group)
    browser = signed_in(agent)
    url = reverse("customer-start-conversation", args=[customer.pk])
    identity = customer.identities.get(channel="sms")

    form = text(browser.get(url))
    answer = browser.post(
        url,
        {
            "offer": f"{identity.pk}:{sms.account.pk}",
            "subject": "Tu pedido",
            "body": "Hola Lucía, tu pedido está listo.",
        },
    )
    deliver()

    assert 'type="radio"' in form and "twilio_sms account" in form
    ticket = Ticket.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("ticket", args=[ticket.pk])
    assert ticket.subject == "Tu pedido" and ticket.assignee_id == agent.pk
    assert twilio_api.requests[0].form["Body"] == ["Hola Lucía, tu pedido está listo."]


def test_whatsapp_free_text_is_refused_beside_the_template_choice(
    signed_in: SignedIn, client: Client, fake_graph: graph.FakeGraph
) -> None:
    customer = lucia(whatsapp="+5491155550000")
    chat = open_account("whatsapp", fake_graph.base_url, client, templates="aviso_pedido:es")
    browser = signed_in(make_agent(chat.account.group))
    url = reverse("customer-start-conversation", args=[customer.pk])
    offer = f"{customer.identities.get(channel='whatsapp').pk}:{chat.account.pk}"

    refused = browser.post(url, {"offer": offer, "body": "Hola"})
    sent = browser.post(url, {"offer": offer, "template": "aviso_pedido:es", "body": "Lucía"})
    deliver()

    assert refused.status_code == 422
    assert "only with an approved template: choose one" in text(refused)
    assert '<option value="aviso_pedido:es">' in text(refused)
    assert sent.status_code == 302
    assert fake_graph.requests[0].json["template"]["name"] == "aviso_pedido"


def test_without_any_channel_the_page_says_so(signed_in: SignedIn, client: Client) -> None:
    customer = lucia(telegram="777000111")
    chat = open_account("telegram", "http://127.0.0.1:9", client)
    browser = signed_in(make_agent(chat.account.group))
    url = reverse("customer-start-conversation", args=[customer.pk])

    page = browser.get(url)
    refused = browser.post(url, {"offer": "1:1", "body": "Hola"})

    assert page.status_code == 200 and "No channel lets you write first" in text(page)
    assert "Telegram bots cannot write first" in text(page)
    assert refused.status_code == 422 and not Ticket.objects.exists()


def test_customers_cannot_open_the_start_page(signed_in: SignedIn) -> None:
    customer = lucia(sms=fake_twilio.CUSTOMER)

    answer = signed_in(customer).get(reverse("customer-start-conversation", args=[customer.pk]))

    assert answer.status_code == 403
