"""Reply and set status: one service call, one transaction, both or neither."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.core.errors import Forbidden
from atiende.core.event_types import MessageAdded, TicketUpdated
from atiende.tickets import services
from atiende.tickets.errors import InvalidTransition, StaleVersion
from atiende.tickets.models import Message
from tests.factories import make_agent, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def test_reply_then_pending_writes_both_and_announces_both(published: list[Any]) -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    message = services.reply(
        web(agent), ticket_id=ticket.pk, body="Try again?", status="pending", version=1
    )
    ticket.refresh_from_db()
    assert message.ticket_id == ticket.pk and ticket.status.key == "pending"
    assert any(isinstance(e, MessageAdded) for e in published)
    statuses = [
        change.new
        for event in published
        if isinstance(event, TicketUpdated)
        for change in event.changes
        if change.field == "status"
    ]
    # The agent's first reply opens the ticket; the requested status follows.
    assert [s["key"] for s in statuses] == ["open", "pending"]  # type: ignore[call-overload,index]  # snapshot dicts


def test_a_refused_status_change_leaves_no_reply() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    # The default workflow does not allow solved → pending.
    services.change_status(web(agent), ticket_id=ticket.pk, status="solved")
    before = Message.objects.filter(ticket=ticket).count()
    with pytest.raises(InvalidTransition):
        services.reply(web(agent), ticket_id=ticket.pk, body="One more", status="pending")
    ticket.refresh_from_db()
    assert Message.objects.filter(ticket=ticket).count() == before
    assert ticket.status.key == "solved"


def test_a_customer_cannot_set_a_status_with_a_reply() -> None:
    ticket = make_ticket()
    with pytest.raises(Forbidden):
        services.reply(web(ticket.requester), ticket_id=ticket.pk, body="Ok", status="solved")
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_a_stale_version_refuses_the_whole_action() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    services.update_ticket(web(agent), ticket_id=ticket.pk, version=1, changes={"subject": "New"})
    with pytest.raises(StaleVersion):
        services.reply(web(agent), ticket_id=ticket.pk, body="Hi", status="pending", version=1)
    assert Message.objects.filter(ticket=ticket).count() == 1
