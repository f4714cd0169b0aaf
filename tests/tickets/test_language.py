"""The language of every customer message is detected on intake, whatever the door, and the
ticket keeps the first one told; too short a text leaves it blank."""

from __future__ import annotations

import pytest

from atiende.messaging.models import InboundState
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

SPANISH = "Hola, no puedo entrar en mi cuenta desde ayer. ¿Me pueden ayudar, por favor?"
SPANISH_NO_ACCENTS = "hola, el sistema esta caido desde la manana y no podemos facturar nada"
ENGLISH = "Hello, I cannot sign in to my account since yesterday. Can you help me, please?"


@pytest.mark.parametrize(
    ("body", "language"),
    [(SPANISH, "es"), (SPANISH_NO_ACCENTS, "es"), (ENGLISH, "en"), ("ok gracias", "")],
)
def test_an_inbound_email_stores_the_language_of_its_text(body: str, language: str) -> None:
    row = deliver(build(subject="Ayuda", body=body), make_mailbox(group=make_group()))

    assert row.state == InboundState.PROCESSED
    assert row.ticket is not None and row.ticket_message is not None
    assert Message.objects.get(pk=row.ticket_message.pk).language == language
    assert Ticket.objects.get(pk=row.ticket.pk).language == language


def test_a_reply_by_email_fills_a_blank_ticket_language_and_never_changes_a_known_one() -> None:
    mailbox = make_mailbox()
    first = deliver(build(body="ok", message_id="one@customer.test"), mailbox)
    assert first.ticket is not None and first.ticket.language == ""

    reply = deliver(
        build(body=SPANISH, message_id="two@customer.test", in_reply_to="one@customer.test"),
        mailbox,
    )
    assert reply.ticket_id == first.ticket.pk
    assert Ticket.objects.get(pk=first.ticket.pk).language == "es"

    deliver(
        build(body=ENGLISH, message_id="three@customer.test", in_reply_to="two@customer.test"),
        mailbox,
    )
    assert Ticket.objects.get(pk=first.ticket.pk).language == "es"
    latest = Message.objects.filter(ticket_id=first.ticket.pk).order_by("-pk").first()
    assert latest is not None and latest.language == "en"


def test_a_ticket_a_customer_opens_on_the_web_is_detected_too() -> None:
    customer = make_customer()
    ticket = tickets.open_ticket(web(customer), subject="Ayuda", body=SPANISH, requester=customer)
    assert Ticket.objects.get(pk=ticket.pk).language == "es"


def test_agents_messages_are_not_detected_and_do_not_set_the_ticket_language() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(body="ok", group_id=group.pk)

    message = tickets.add_message(web(agent), ticket_id=ticket.pk, body=ENGLISH)

    assert Message.objects.get(pk=message.pk).language == ""
    assert Ticket.objects.get(pk=ticket.pk).language == ""
