"""Sending a failed reply again by ticket and message: the one service web and API call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atiende.core.errors import Conflict, NotFound
from atiende.messaging.models import DeliveryState, OutboundKind
from atiende.messaging.outbound import delivery
from atiende.messaging.outbound.services import retry_message_delivery
from atiende.tickets import services as tickets
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.servers import SmtpSink
from tests.messaging.test_outbound import only_outbound, reply, smtp_mailbox

pytestmark = pytest.mark.django_db


def test_a_failed_reply_is_queued_again_by_its_ticket_and_message(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    group, other = make_group(), make_group()
    agent = make_agent(group)
    ticket = make_ticket(make_customer(email="ana@customer.test"), group_id=group.pk)
    smtp_sink.answer = "554 5.7.1 Rejected"
    message = reply(on_commit, agent, ticket, "Hello")
    row = only_outbound(kind=OutboundKind.REPLY)
    delivery.deliver(row.pk)
    actor = web(agent)

    with pytest.raises(NotFound):
        retry_message_delivery(web(make_agent(other)), ticket_id=ticket.pk, message_id=message.pk)
    other_ticket = make_ticket(group_id=group.pk)
    with pytest.raises(NotFound):  # the message must be on the ticket named
        retry_message_delivery(actor, ticket_id=other_ticket.pk, message_id=message.pk)
    note = tickets.add_message(actor, ticket_id=ticket.pk, body="internal", public=False)
    with pytest.raises(NotFound, match="not sent by email"):
        retry_message_delivery(actor, ticket_id=ticket.pk, message_id=note.pk)

    smtp_sink.answer = ""
    with on_commit():
        again = retry_message_delivery(actor, ticket_id=ticket.pk, message_id=message.pk)
    assert again.pk == row.pk and again.state == DeliveryState.QUEUED
    assert delivery.deliver(row.pk) == DeliveryState.SENT
    with pytest.raises(Conflict):
        retry_message_delivery(actor, ticket_id=ticket.pk, message_id=message.pk)
    assert len(smtp_sink.received) == 1
