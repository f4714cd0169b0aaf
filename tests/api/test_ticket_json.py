"""The API's row serializer says exactly what the documented `TicketOut` schema says."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from atiende.api import ticket_json
from atiende.api.schemas.tickets import TicketOut
from atiende.tickets import selectors
from atiende.tickets.models import Category, Ticket
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_org, make_ticket

pytestmark = pytest.mark.django_db


def _schema_json(ticket_id: int) -> object:
    ticket = selectors.get_ticket(SYSTEM, ticket_id)
    return json.loads(json.dumps(TicketOut.from_orm(ticket).model_dump(), cls=NinjaJSONEncoder))


def _rows_json(ticket_id: int) -> object:
    data = ticket_json.document(Ticket.objects.all(), ticket_id)
    return json.loads(json.dumps(data, cls=NinjaJSONEncoder))


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_fully_set_ticket_serializes_as_the_schema_does(language: str) -> None:
    group = make_group()
    agent = make_agent(group, name="")  # no name: shown by address
    org = make_org()
    category = Category.objects.create(name_en="Billing", name_es="Facturación")
    customer = make_customer(organization_id=org.pk)
    ticket = make_ticket(
        customer,
        group_id=group.pk,
        assignee_id=agent.pk,
        category_id=category.pk,
        tags=["vip", "billing"],
        priority="high",
    )
    with translation.override(language):
        expected = _schema_json(ticket.pk)
        got = _rows_json(ticket.pk)
    assert got == expected
    assert got["tags"] == ["billing", "vip"]  # type: ignore[index]
    assert got["category"]["name"] == ("Facturación" if language == "es" else "Billing")  # type: ignore[index]


def test_a_bare_ticket_serializes_as_the_schema_does() -> None:
    ticket = make_ticket()
    assert _rows_json(ticket.pk) == _schema_json(ticket.pk)
    assert _rows_json(ticket.pk)["assignee"] is None  # type: ignore[index]


def test_an_unknown_ticket_is_not_found() -> None:
    from atiende.tickets.errors import TicketNotFound

    with pytest.raises(TicketNotFound):
        ticket_json.document(Ticket.objects.all(), 999_999)


@pytest.mark.parametrize("tags", [[], ["vip", "Billing"]])
def test_the_answer_to_a_create_is_what_a_read_returns(tags: list[str]) -> None:
    """The create answer is built from the ticket just written; it must match a fresh read."""
    from django.test import Client

    from atiende.accounts.services import create_api_token

    group = make_group()
    agent = make_agent(group)
    org = make_org(domains=("acme.test",))
    category = Category.objects.create(name_en="Billing", name_es="Facturación")
    _, token = create_api_token(SYSTEM, user=agent, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "subject": "Invoice twice",
        "body": "We were charged twice.",
        "requester": {"email": "ana@acme.test", "name": "Ana"},
        "group_id": group.pk,
        "assignee_id": agent.pk,
        "category_id": category.pk,
        "priority": "high",
        "tags": tags,
    }
    created = client.post("/api/v1/tickets", body, content_type="application/json")
    assert created.status_code == 201, created.content
    read = client.get(f"/api/v1/tickets/{created.json()['id']}")
    assert created.json() == read.json()
    assert created.json()["organization"] == {"id": org.pk, "name": org.name}
    assert created.json()["tags"] == sorted(t.lower() for t in tags)
