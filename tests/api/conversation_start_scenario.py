"""The generated client's drive through /users/{id}/conversation-offers and
/users/{id}/conversations (issue 16: an agent writes first)."""

from __future__ import annotations

from typing import Any

from atiende.accounts.services import add_identity
from atiende.messaging.channels import services
from tests.factories import SYSTEM, make_customer
from tests.messaging.channels import fake_twilio

NOWHERE = "http://127.0.0.1:9"  # the send runs after a commit the test never makes


def drive_conversation_start(api: Any, group_id: int) -> None:
    customer = make_customer(name="Cliente SMS")
    add_identity(SYSTEM, user_id=customer.pk, channel="sms", value=fake_twilio.CUSTOMER)
    account = services.create_account(
        SYSTEM,
        provider="twilio_sms",
        name="SMS de soporte",
        group_id=group_id,
        settings={
            "account_sid": fake_twilio.ACCOUNT_SID,
            "from_number": fake_twilio.OUR_NUMBER,
            "api_base": NOWHERE,
        },
        secrets={"auth_token": fake_twilio.AUTH_TOKEN},
    )
    offers = api("conversation_start_list_offers", customer.pk)
    assert [(offer.channel, offer.allowed) for offer in offers] == [("sms", True)]
    body = {"account_id": account.pk, "body": "Hola, te escribimos por tu pedido."}
    started = api("conversation_start_start_conversation", customer.pk, body=body, ok=201)
    assert started.message.public and started.ticket.requester.id == customer.pk
