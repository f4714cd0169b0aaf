"""POST /api/v1/tickets/bulk: per-ticket results, partial failure, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.tickets import services
from atiende.tickets.models import Ticket
from tests.api.conftest import fields, problem
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db


def test_bulk_reports_each_ticket_and_applies_what_it_can(as_user: Any) -> None:
    support, billing = make_group(), make_group()
    agent = make_agent(support)
    mine, hidden = make_ticket(group_id=support.pk), make_ticket(group_id=billing.pk)
    closed = make_ticket(group_id=support.pk)
    services.change_status(SYSTEM, ticket_id=closed.pk, status="closed")

    response = as_user(agent).post(
        "/tickets/bulk",
        {"ids": [mine.pk, hidden.pk, closed.pk], "action": "status", "status": "pending"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["updated"], body["unchanged"], body["failed"]) == (1, 0, 2)
    by_id = {r["ticket_id"]: r for r in body["results"]}
    assert by_id[mine.pk] == {
        "ticket_id": mine.pk,
        "number": mine.number,
        "ok": True,
        "changed": True,
        "code": None,
        "message": None,
    }
    assert by_id[hidden.pk]["number"] is None and by_id[hidden.pk]["code"] == "ticket_not_found"
    assert by_id[closed.pk]["code"] == "invalid_transition" and by_id[closed.pk]["message"]
    assert Ticket.objects.get(pk=mine.pk).status.key == "pending"
    assert Ticket.objects.get(pk=hidden.pk).status.key == "new"


def test_ten_thousand_ids_are_a_422_naming_the_field(as_user: Any) -> None:
    agent = make_agent(make_group())
    body = problem(
        as_user(agent).post("/tickets/bulk", {"ids": list(range(1, 10_001)), "action": "close"}),
        422,
    )
    assert fields(body) == {"ids"}
    assert "500" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ids": [], "action": "close"}, "ids"),
        ({"ids": [1], "action": "explode"}, "action"),
        ({"ids": [1], "action": "status", "status": "nope"}, "status"),
        ({"ids": [1], "action": "merge", "merge_target_id": 987654}, "merge_target_id"),
    ],
)
def test_request_wide_mistakes_are_a_422(as_user: Any, payload: dict[str, Any], field: str) -> None:
    agent = make_agent(make_group())
    body = problem(as_user(agent).post("/tickets/bulk", payload), 422)
    assert fields(body) == {field}


def test_customers_get_403(as_user: Any) -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    problem(as_user(customer).post("/tickets/bulk", {"ids": [ticket.pk], "action": "close"}), 403)
    assert Ticket.objects.get(pk=ticket.pk).status.key == "new"
