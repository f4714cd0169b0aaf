"""Moving tickets between requesters (what a customer merge does): batched, audited, announced."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.core.errors import Forbidden
from atiende.tickets import services
from atiende.tickets.models import Ticket, TicketEvent
from tests.factories import SYSTEM, make_customer, make_org, make_ticket, web

pytestmark = pytest.mark.django_db


def test_tickets_move_in_batches_with_their_organization_history_and_version() -> None:
    old_org, new_org = make_org(), make_org()
    source = make_customer(organization_id=old_org.pk)
    target = make_customer(organization_id=new_org.pk)
    tickets = [make_ticket(source) for _ in range(5)]
    other = make_ticket(make_customer())
    before = {t.pk: t.updated_at for t in tickets}

    with CaptureQueriesContext(connection) as queries:
        moved = services.reassign_requester(SYSTEM, from_user=source, to_user=target, batch_size=2)

    assert sorted(moved.ticket_ids) == sorted(before)
    assert moved.organizations_before == (old_org,)
    ticket_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "tickets_ticket"')]
    assert len(ticket_updates) == 3  # 2 + 2 + 1: one statement per batch, not per ticket
    for ticket in Ticket.objects.filter(pk__in=before):
        assert (ticket.requester_id, ticket.organization_id) == (target.pk, new_org.pk)
        assert ticket.version == 2 and ticket.updated_at > before[ticket.pk]
    fields = TicketEvent.objects.filter(ticket_id__in=before, action="updated")
    assert (
        sorted(fields.values_list("field", flat=True)) == ["organization"] * 5 + ["requester"] * 5
    )
    untouched = Ticket.objects.get(pk=other.pk)
    assert untouched.version == 1 and untouched.requester_id != target.pk


def test_same_organization_writes_no_organization_entry() -> None:
    org = make_org()
    source, target = make_customer(organization_id=org.pk), make_customer(organization_id=org.pk)
    ticket = make_ticket(source)
    moved = services.reassign_requester(SYSTEM, from_user=source, to_user=target)
    assert moved.ticket_ids == (ticket.pk,) and moved.organizations_before == ()
    assert list(
        TicketEvent.objects.filter(ticket=ticket, action="updated").values_list("field", flat=True)
    ) == ["requester"]


def test_customers_cannot_move_tickets_and_nothing_moves_onto_oneself() -> None:
    source, target = make_customer(), make_customer()
    ticket = make_ticket(source)
    with pytest.raises(Forbidden):
        services.reassign_requester(web(source), from_user=source, to_user=target)
    assert services.reassign_requester(SYSTEM, from_user=source, to_user=source).ticket_ids == ()
    assert Ticket.objects.get(pk=ticket.pk).requester_id == source.pk
