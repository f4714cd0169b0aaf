"""A public message nobody wrote (a rule's mail to the customer, the chat's bot) is automatic:
it is in the conversation, but it is no response of the team — the ticket stays new and its
first response is the first agent's reply."""

from __future__ import annotations

import pytest

from atiende.core.actor import Actor, Source
from atiende.tickets import services
from atiende.tickets.models import Direction, StatusCategory, Ticket
from tests.factories import make_agent, make_ticket, web

pytestmark = pytest.mark.django_db


def _reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("status").get(pk=ticket.pk)


@pytest.mark.parametrize(
    "actor",
    [
        Actor(user=None, source=Source.RULE, detail="rule:1"),
        Actor(user=None, source=Source.SYSTEM, detail="chat-bot:1"),
    ],
    ids=["rule", "bot"],
)
def test_an_automatic_public_reply_is_no_first_response(actor: Actor) -> None:
    ticket = make_ticket()
    message = services.add_message(actor, ticket_id=ticket.pk, body="We got your message.")
    assert message.public and message.direction == Direction.OUTBOUND and message.author is None
    ticket = _reload(ticket)
    assert ticket.status.category == StatusCategory.NEW and ticket.first_response_at is None

    services.reply(web(make_agent()), ticket_id=ticket.pk, body="Hello, I am on it.")
    ticket = _reload(ticket)
    assert ticket.status.category == StatusCategory.OPEN and ticket.first_response_at is not None
