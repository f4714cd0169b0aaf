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
