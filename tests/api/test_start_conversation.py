"""POST /users/{id}/conversations and GET /users/{id}/conversation-offers (issue 16)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.accounts.services import add_identity
from atiende.tickets.models import Ticket
from tests.api.conftest import problem
from tests.factories import SYSTEM, make_agent, make_customer
from tests.messaging.channels import fake_twilio
from tests.messaging.channels.conversing import TASKS_AT_ONCE, deliver, open_account
from tests.messaging.channels.fake_twilio import twilio_api_fixture

pytestmark = pytest.mark.django_db
__all__ = ["twilio_api_fixture"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def test_an_agent_starts_an_sms_conversation_through_the_api(
    as_user: Any, client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = make_customer(name="Lucía Pérez")
    add_identity(SYSTEM, user_id=customer.pk, channel="sms", value=fake_twilio.CUSTOMER)
    add_identity(SYSTEM, user_id=customer.pk, channel="telegram", value="777000111")
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    api = as_user(make_agent(sms.account.group))

    offers = api.get(f"/users/{customer.pk}/conversation-offers")
    answer = api.post(
        f"/users/{customer.pk}/conversations",
        {"account_id": sms.account.pk, "body": "Hola Lucía", "subject": "Tu pedido"},
    )
    deliver()

    assert offers.status_code == 200
    by_channel = {offer["channel"]: offer for offer in offers.json()}
    assert by_channel["sms"]["allowed"] and by_channel["sms"]["account_id"] == sms.account.pk
    assert not by_channel["telegram"]["allowed"]
    assert "cannot write first" in by_channel["telegram"]["refusal"]
    assert answer.status_code == 201, answer.content
    started = answer.json()
    assert started["ticket"]["subject"] == "Tu pedido"
    assert started["message"]["public"] and started["message"]["direction"] == "out"
    assert twilio_api.requests[0].form["To"] == [fake_twilio.CUSTOMER]

    again = api.post(
        f"/users/{customer.pk}/conversations", {"account_id": sms.account.pk, "body": "Hola"}
    )
    assert problem(again, 409)["ticket_id"] == started["ticket"]["id"]


def test_refusals_are_problems_naming_the_field(
    as_user: Any, client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    customer = make_customer(name="Sin SMS")
    sms = open_account("twilio_sms", twilio_api.base_url, client)
    agent_api = as_user(make_agent(sms.account.group))

    no_identity = agent_api.post(
        f"/users/{customer.pk}/conversations", {"account_id": sms.account.pk, "body": "Hola"}
    )
    unknown_account = agent_api.post(
        f"/users/{customer.pk}/conversations", {"account_id": 999999, "body": "Hola"}
    )
    as_customer = as_user(customer).post(
        f"/users/{customer.pk}/conversations", {"account_id": sms.account.pk, "body": "Hola"}
    )
    offers_for_customer = as_user(customer).get(f"/users/{customer.pk}/conversation-offers")

    assert problem(no_identity, 422)["errors"][0]["field"] == "account_id"
    assert problem(unknown_account, 422)["errors"][0]["field"] == "account_id"
    assert as_customer.status_code == 403
    assert offers_for_customer.status_code == 403
    assert not Ticket.objects.exists()
