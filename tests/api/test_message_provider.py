"""Every message in the API says its channel, the provider it travelled through (``email``
for mail, in or out, as for WhatsApp and the other messaging channels) and, for one we sent,
how far it got (issue 16) — without a query per message.

Mail goes out to a real SMTP server on loopback and comes in through the real pipeline;
WhatsApp is the fake Graph API on loopback, through the real webhook view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from atiende.accounts.models import Group, User
from atiende.messaging.models import DeliveryState, Mailbox, OutboundEmail
from atiende.messaging.outbound import delivery
from atiende.tickets import services
from atiende.tickets.models import Channel, Message, Ticket
from tests.api.test_query_counts import count_queries
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)
from tests.messaging.channels.fake_graph import fake_graph
from tests.messaging.mail import build
from tests.messaging.mail import deliver as deliver_mail
from tests.messaging.servers import SmtpSink, smtp_sink
from tests.messaging.test_outbound import smtp_mailbox

pytestmark = pytest.mark.django_db
__all__ = ["fake_graph", "smtp_sink"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


@pytest.fixture
def mailbox(smtp_sink: SmtpSink) -> Mailbox:
    """The support address: mail comes in to it and goes out through the sink."""
    return smtp_mailbox(smtp_sink, group=make_group("Soporte"))


def team(mailbox: Mailbox) -> Group:
    assert mailbox.group is not None
    return mailbox.group


def shown(api: Any, ticket: Ticket) -> dict[int, dict[str, Any]]:
    answer = api.get(f"/tickets/{ticket.pk}/messages")
    assert answer.status_code == 200, answer.content
    return {item["id"]: item for item in answer.json()["items"]}


def travel(item: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return item["channel"], item["provider"], item["delivery_state"]


def mail_out() -> None:
    """The outbox's effects, then each queued mail handed to the SMTP sink (as the send
    tasks do after the commit)."""
    deliver()
    for pk in OutboundEmail.objects.filter(state=DeliveryState.QUEUED).values_list("pk", flat=True):
        delivery.deliver(pk)


def mail_ticket(mailbox: Mailbox) -> Ticket:
    row = deliver_mail(build(body="Hola, la impresora no imprime."), mailbox)
    assert row.ticket is not None, row.reason
    return row.ticket


# --- email ------------------------------------------------------------------------------------


def test_an_email_message_says_email_in_and_out_with_its_state(
    as_user: Callable[[User], Any], mailbox: Mailbox
) -> None:
    ticket = mail_ticket(mailbox)
    api = as_user(make_agent(team(mailbox)))
    customer_mail = Message.objects.get(ticket=ticket)

    answer = api.post(f"/tickets/{ticket.pk}/messages", {"body": "Ya lo miramos."})
    assert answer.status_code == 201, answer.content
    reply_id = answer.json()["id"]
    deliver()  # the outbox queues the reply's mail
    queued = shown(api, ticket)
    mail_out()  # the sink accepts it
    sent = shown(api, ticket)

    assert travel(queued[customer_mail.pk]) == ("email", "email", None)
    assert travel(queued[reply_id]) == ("api", "email", "queued")
    assert travel(sent[reply_id]) == ("api", "email", "sent")
    assert sent[reply_id]["delivery"]["state"] == "sent"  # the mail's own details, as before


def test_a_failed_mail_says_failed(
    as_user: Callable[[User], Any], mailbox: Mailbox, smtp_sink: SmtpSink
) -> None:
    ticket = mail_ticket(mailbox)
    agent = make_agent(team(mailbox))
    smtp_sink.rcpt_answer = "550 5.1.1 <ana@customer.test>: user unknown"

    reply = agent_replies(ticket, "Hola", agent=agent)
    mail_out()

    assert travel(shown(as_user(agent), ticket)[reply.pk]) == ("web", "email", "failed")


def test_customers_see_the_provider_but_not_our_delivery_state(
    as_user: Callable[[User], Any], mailbox: Mailbox
) -> None:
    ticket = mail_ticket(mailbox)
    reply = agent_replies(ticket, "Ya lo miramos.", agent=make_agent(team(mailbox)))
    mail_out()

    items = shown(as_user(ticket.requester), ticket)

    assert travel(items[reply.pk]) == ("web", "email", None)
    assert items[reply.pk]["delivery"] is None


# --- web, portal, API, notes ------------------------------------------------------------------


def test_a_web_form_message_and_an_agent_note_travelled_through_no_provider(
    as_user: Callable[[User], Any], mailbox: Mailbox
) -> None:
    customer = make_customer(email="luis@customer.test")
    ticket = make_ticket(customer, channel=Channel.WEB, group_id=mailbox.group_id)
    agent = make_agent(team(mailbox))
    note = services.add_message(web(agent), ticket_id=ticket.pk, body="Llamar mañana", public=False)
    reply = agent_replies(ticket, "Te escribimos por correo.", agent=agent)
    mail_out()

    items = shown(as_user(agent), ticket)

    first = Message.objects.filter(ticket=ticket).order_by("pk").first()
    assert first is not None
    assert travel(items[first.pk]) == ("web", None, None)
    assert travel(items[note.pk]) == ("web", None, None)
    assert travel(items[reply.pk]) == ("web", "email", "sent")


def test_a_customers_api_message_travelled_through_no_provider(
    as_user: Callable[[User], Any],
) -> None:
    customer = make_customer(email="luis@customer.test")
    api = as_user(customer)
    opened = api.post("/tickets", {"subject": "Factura", "body": "¿Me reenvían la factura?"})
    assert opened.status_code == 201, opened.content

    answer = api.post(f"/tickets/{opened.json()['id']}/messages", {"body": "Es la de marzo."})

    assert answer.status_code == 201, answer.content
    assert travel(answer.json()) == ("api", None, None)


# --- WhatsApp ---------------------------------------------------------------------------------


def test_a_whatsapp_conversation_says_whatsapp_and_how_far_each_reply_got(
    as_user: Callable[[User], Any], client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola, ¿me ayudan?")
    assert chat.account.group is not None
    api = as_user(make_agent(chat.account.group))
    first = Message.objects.get(ticket=ticket)

    answer = api.post(f"/tickets/{ticket.pk}/messages", {"body": "Claro, contame."})
    assert answer.status_code == 201, answer.content
    reply = Message.objects.get(pk=answer.json()["id"])
    deliver()
    (row,) = sent_rows(reply)
    sent = shown(api, ticket)
    chat.receipt(row.provider_id, "delivered")
    delivered = shown(api, ticket)

    assert travel(answer.json()) == ("whatsapp", "whatsapp", "queued")  # decided in the reply
    assert travel(sent[first.pk]) == ("whatsapp", "whatsapp", None)
    assert travel(sent[reply.pk]) == ("whatsapp", "whatsapp", "sent")
    assert travel(delivered[reply.pk]) == ("whatsapp", "whatsapp", "delivered")
    assert delivered[reply.pk]["delivery"] is None  # no mail went out


def test_a_reply_the_provider_refused_says_failed(
    as_user: Callable[[User], Any], client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Hola")
    fake_graph.fail(400)
    reply = agent_replies(ticket, "Hola, ¿en qué te ayudo?")

    deliver()

    assert chat.account.group is not None
    items = shown(as_user(make_agent(chat.account.group)), ticket)
    assert travel(items[reply.pk]) == ("whatsapp", "whatsapp", "failed")


# --- queries ----------------------------------------------------------------------------------


def test_the_list_reads_providers_without_a_query_per_message(
    as_user: Callable[[User], Any],
    client: Client,
    fake_graph: graph.FakeGraph,
    mailbox: Mailbox,
) -> None:
    mail = mail_ticket(mailbox)
    chat = open_account("whatsapp", fake_graph.base_url, client)
    talk = chat.customer_writes("Hola")
    assert chat.account.group is not None
    agent = make_agent(team(mailbox), chat.account.group)
    api = as_user(agent)
    agent_replies(mail, "Primera respuesta", agent=agent)
    agent_replies(talk, "Primera respuesta", agent=agent)
    deliver()
    api.get(f"/tickets/{mail.pk}/messages")  # the token's first use records last_used_at once
    small_mail = count_queries(lambda: api.get(f"/tickets/{mail.pk}/messages"))
    small_talk = count_queries(lambda: api.get(f"/tickets/{talk.pk}/messages"))

    for n in range(8):
        deliver_mail(build(subject=f"Re: [#{mail.number}] impresora", body=f"Más {n}"), mailbox)
        chat.customer_writes(f"Más {n}")
        agent_replies(mail, f"Respuesta {n}", agent=agent)
        agent_replies(talk, f"Respuesta {n}", agent=agent)
        services.add_message(web(agent), ticket_id=talk.pk, body=f"nota {n}", public=False)
    deliver()

    assert Message.objects.filter(ticket=mail).count() >= 18
    assert Message.objects.filter(ticket=talk).count() >= 26
    assert count_queries(lambda: api.get(f"/tickets/{mail.pk}/messages")) == small_mail
    assert count_queries(lambda: api.get(f"/tickets/{talk.pk}/messages")) == small_talk
    providers = {item["provider"] for item in shown(api, talk).values()}
    assert providers == {"whatsapp", None}
