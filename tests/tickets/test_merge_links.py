"""Merging duplicates and linking tickets."""

from __future__ import annotations

import pytest

from atiende.core.errors import Conflict, Invalid
from atiende.tickets import services
from atiende.tickets.errors import TicketClosed, TicketNotFound
from atiende.tickets.models import Message, TicketEvent, TicketLink
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def test_merge_moves_messages_and_followers_and_closes_source() -> None:
    alice, bob = make_customer(), make_customer()
    source = make_ticket(alice, body="first copy")
    target = make_ticket(bob, body="second copy")
    services.add_message(SYSTEM, ticket_id=source.pk, body="note", public=False)
    result = services.merge_tickets(SYSTEM, source_id=source.pk, target_id=target.pk)
    source.refresh_from_db()
    assert result == target
    assert Message.objects.filter(ticket=target).count() == 3
    assert not Message.objects.filter(ticket=source).exists()
    assert source.merged_into == target and source.status.category == "closed"
    assert alice in target.followers.all()
    assert TicketEvent.objects.filter(ticket=source, action="merged").exists()
    assert (
        TicketEvent.objects.get(ticket=target, action="merged").new_value["number"] == source.number
    )
    with pytest.raises(TicketClosed):
        services.add_message(SYSTEM, ticket_id=source.pk, body="late", public=False)


def test_merge_refusals() -> None:
    a, b, c = make_ticket(), make_ticket(), make_ticket()
    with pytest.raises(Invalid):
        services.merge_tickets(SYSTEM, source_id=a.pk, target_id=a.pk)
    services.merge_tickets(SYSTEM, source_id=a.pk, target_id=b.pk)
    with pytest.raises(Conflict):
        services.merge_tickets(SYSTEM, source_id=a.pk, target_id=c.pk)
    services.change_status(SYSTEM, ticket_id=c.pk, status="closed")
    with pytest.raises(Conflict):
        services.merge_tickets(SYSTEM, source_id=b.pk, target_id=c.pk)


def test_agent_cannot_merge_into_a_ticket_outside_their_groups() -> None:
    mine, theirs = make_group(), make_group()
    agent = make_agent(mine)
    a = make_ticket(group_id=mine.pk)
    b = make_ticket(group_id=theirs.pk)
    with pytest.raises(TicketNotFound):
        services.merge_tickets(web(agent), source_id=a.pk, target_id=b.pk)
    assert Message.objects.filter(ticket=a).count() == 1


def test_links_both_ways_and_refusals() -> None:
    a, b = make_ticket(), make_ticket()
    link = services.link_tickets(SYSTEM, source_id=a.pk, target_id=b.pk, kind="parent")
    assert TicketEvent.objects.filter(action="linked").count() == 2
    with pytest.raises(Conflict):
        services.link_tickets(SYSTEM, source_id=a.pk, target_id=b.pk, kind="parent")
    with pytest.raises(Conflict):
        services.link_tickets(SYSTEM, source_id=b.pk, target_id=a.pk, kind="parent")
    with pytest.raises(Invalid):
        services.link_tickets(SYSTEM, source_id=a.pk, target_id=a.pk, kind="related")
    with pytest.raises(Invalid):
        services.link_tickets(SYSTEM, source_id=a.pk, target_id=b.pk, kind="cousin")
    services.unlink_tickets(SYSTEM, ticket_id=b.pk, link_id=link.pk)
    assert not TicketLink.objects.exists()
    assert TicketEvent.objects.filter(action="unlinked").count() == 2
