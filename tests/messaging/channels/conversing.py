"""A conversation on a channel account, as the sending tests drive it: the account pointed at
a fake provider on loopback, the customer's message posted to its webhook URL through the real
view, an agent's reply through the services, the outbox delivered with a clock the test moves,
and the provider's receipt posted back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from atiende.accounts.models import User
from atiende.messaging.channels import services
from atiende.messaging.channels.contract import Incoming
from atiende.messaging.channels.services import replying
from atiende.messaging.models import ChannelAccount, ChannelDirection, ChannelMessage
from atiende.outbox import delivery
from atiende.tickets.models import Message, Ticket
from tests.factories import SYSTEM, make_agent, make_group, web
from tests.messaging.channels import fake_graph, fake_telegram, fake_twilio

TASKS_AT_ONCE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
_numbers = itertools.count(1)


@dataclass
class Conversation:
    """One provider's side of the tests: its account, and how it writes webhooks."""

    provider: str
    account: ChannelAccount
    client: Client

    @property
    def url(self) -> str:
        return f"/hooks/{self.account.webhook_key}/"

    def post(self, incoming: Incoming) -> Any:
        headers = {k: v for k, v in incoming.headers.items() if k != "content-type"}
        return self.client.post(
            self.url,
            data=incoming.body,
            content_type=incoming.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )

    def customer_writes(self, text: str) -> Ticket:
        """The customer's message through the webhook; the ticket it went to."""
        answer = self.post(self._inbound(text))
        assert answer.status_code == 200, answer.content
        link = ChannelMessage.objects.filter(
            account=self.account, direction=ChannelDirection.INBOUND
        ).latest("id")
        assert link.message is not None
        return link.message.ticket

    def receipt(self, provider_id: str, state: str) -> Any:
        """The provider's delivery or read receipt for a message we sent."""
        answer = self.post(self._receipt(provider_id, state))
        assert answer.status_code == 200, answer.content
        return answer

    def _inbound(self, text: str) -> Incoming:
        n = next(_numbers)
        if self.provider == "whatsapp":
            return fake_graph.webhook(fake_graph.wa_payload(fake_graph.wa_text(text)))
        if self.provider == "telegram":
            message = fake_telegram.private_message(1000 + n, text=text)
            return fake_telegram.update(fake_telegram.message_update(message))
        if self.provider == "twilio_sms":
            return fake_twilio.webhook(
                fake_twilio.inbound_sms(text), url=f"http://testserver{self.url}"
            )
        kind = "page" if self.provider == "messenger" else "instagram"
        recipient = fake_graph.PAGE_ID if kind == "page" else fake_graph.IG_ID
        event = fake_graph.social_message(text, recipient=recipient)
        return fake_graph.webhook(fake_graph.social_envelope(event, kind=kind))

    def _receipt(self, provider_id: str, state: str) -> Incoming:
        if self.provider == "whatsapp":
            status = fake_graph.wa_status(provider_id, state)
            value = fake_graph.wa_value(statuses=[status])
            return fake_graph.webhook(fake_graph.wa_envelope(value))
        if self.provider == "twilio_sms":
            return fake_twilio.webhook(
                fake_twilio.status_callback(provider_id, state),
                url=f"http://testserver{self.url}",
            )
        kind = "page" if self.provider == "messenger" else "instagram"
        if state == "read":
            event = fake_graph.social_event("read", {"mid": provider_id})
        else:
            event = fake_graph.social_event(
                "delivery", {"mids": [provider_id], "watermark": 1518479195594}
            )
        return fake_graph.webhook(fake_graph.social_envelope(event, kind=kind))


def open_account(provider: str, api_base: str, client: Client, **settings: str) -> Conversation:
    """An account of ``provider`` whose API is the fake at ``api_base``."""
    secrets: dict[str, str]
    if provider == "whatsapp":
        values = {
            "phone_number_id": fake_graph.PHONE_NUMBER_ID,
            "verify_token": fake_graph.VERIFY_TOKEN,
        }
        secrets = {"app_secret": fake_graph.APP_SECRET, "access_token": fake_graph.ACCESS_TOKEN}
    elif provider in ("messenger", "instagram"):
        page = fake_graph.PAGE_ID if provider == "messenger" else fake_graph.IG_ID
        values = {"page_id": page, "verify_token": fake_graph.VERIFY_TOKEN}
        secrets = {"app_secret": fake_graph.APP_SECRET, "access_token": fake_graph.ACCESS_TOKEN}
    elif provider == "telegram":
        values = {}
        secrets = {"bot_token": fake_telegram.TOKEN, "webhook_secret": fake_telegram.SECRET}
    else:
        values = {"account_sid": fake_twilio.ACCOUNT_SID, "from_number": fake_twilio.OUR_NUMBER}
        secrets = {"auth_token": fake_twilio.AUTH_TOKEN}
    account = services.create_account(
        SYSTEM,
        provider=provider,
        name=f"{provider} account",
        group_id=make_group().pk,
        settings={**values, "api_base": api_base, **settings},
        secrets=secrets,
    )
    return Conversation(provider=provider, account=account, client=client)


def agent_of(ticket: Ticket) -> User:
    assert ticket.group is not None
    return make_agent(ticket.group)


def agent_replies(ticket: Ticket, body: str, *, agent: User | None = None, **extra: Any) -> Message:
    """A public reply as the composer sends it (``replying.reply``)."""
    return replying.reply(web(agent or agent_of(ticket)), ticket_id=ticket.pk, body=body, **extra)


def deliver(now: datetime | None = None) -> int:
    """What the outbox's sweep delivers at ``now`` (the test's clock)."""
    return delivery.deliver_due(now=now or timezone.now(), limit=100)


def sent_rows(message: Message) -> list[ChannelMessage]:
    return list(
        ChannelMessage.objects.filter(message=message, direction=ChannelDirection.OUTBOUND)
        .select_related("account")
        .order_by("part")
    )
