"""The customer's own write path (``tickets.services.customer_requests``): who may solve and
reopen, what it records and announces, and the portal's hot pages in a fixed number of
queries whatever the number of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from atiende.core.errors import Forbidden
from atiende.core.event_types import TicketUpdated
from atiende.core.events import capture_events
from atiende.tickets import services as tickets
from atiende.tickets.errors import StaleVersion
from atiende.tickets.models import TicketEvent
from atiende.tickets.selectors import get_ticket
from atiende.tickets.services.customer_requests import (
    reopen_own_ticket,
    reply_as_customer,
    solve_own_ticket,
)
from tests.factories import make_agent, make_customer, make_ticket, web
from tests.web.portal.helpers import client_for, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_solving_records_the_customer_and_announces_the_change() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    with capture_events() as seen:
        solved = solve_own_ticket(web(customer), ticket_id=ticket.pk, version=ticket.version)
    assert solved.status.category == "solved"
    assert solved.version == ticket.version + 1
    [event] = [e for e in seen if isinstance(e, TicketUpdated)]
    assert event.actor_id == customer.pk
    assert event.fields == ("status",)
    record = TicketEvent.objects.filter(ticket=ticket, field="status").latest("id")
    assert record.actor_id == customer.pk
    assert record.new_value is not None


def test_only_the_requester_solves_or_reopens_and_staff_use_the_workspace() -> None:
    customer, agent = make_customer(), make_agent()
    ticket = make_ticket(customer)
    with pytest.raises(Forbidden):
        solve_own_ticket(web(agent), ticket_id=ticket.pk, version=None)
    with pytest.raises(Forbidden):
        reply_as_customer(web(agent), ticket_id=ticket.pk, body="hola")
    solve_own_ticket(web(customer), ticket_id=ticket.pk, version=None)
    with pytest.raises(Forbidden):
        reopen_own_ticket(web(agent), ticket_id=ticket.pk, version=None)


def test_a_stale_version_changes_nothing() -> None:
    customer, agent = make_customer(), make_agent()
    ticket = make_ticket(customer)
    tickets.add_message(web(agent), ticket_id=ticket.pk, body="Respuesta")
    with pytest.raises(StaleVersion):
        solve_own_ticket(web(customer), ticket_id=ticket.pk, version=ticket.version)
    assert get_ticket(web(customer), ticket.pk).status.category == "open"


def _seed(customer: Any, count: int) -> int:
    agent = make_agent()
    last = 0
    for n in range(count):
        ticket = make_ticket(customer, subject=f"Solicitud {n}")
        file = upload(agent, ticket, f"f{n}.txt", b"hola")
        tickets.add_message(web(agent), ticket_id=ticket.pk, body="Hola", attachment_ids=[file.pk])
        last = ticket.pk
    return last


def test_the_list_and_the_request_page_take_a_fixed_number_of_queries(
    django_assert_num_queries: Any,
) -> None:
    few, many = make_customer(), make_customer()
    small = _seed(few, 1)
    big = _seed(many, 3)
    for n in range(3):  # more messages on the big one
        tickets.add_message(web(many), ticket_id=big, body=f"Mensaje {n}")

    counts = []
    for customer, ticket_id in ((few, small), (many, big)):
        client = client_for(customer)
        client.get("/portal/")  # the session's first request
        # Session, user, "any organization request?", the page of requests, the brand.
        with django_assert_num_queries(5):
            assert client.get("/portal/").status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/portal/requests/{ticket_id}/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
