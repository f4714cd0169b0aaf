"""Filtering by ticket custom fields: the list, the API and the inbox agree; bad values named."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.services import create_api_token
from atiende.core.errors import Invalid
from atiende.tickets import saved_views
from atiende.tickets.listing import TicketFilters, list_tickets
from atiende.tickets.models import CustomField, Ticket
from tests.api.conftest import ApiClient, fields, problem
from tests.factories import SYSTEM, make_admin, make_ticket, web
from tests.web.inbox.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets() -> dict[str, Ticket]:
    def define(key: str, type: str, options: list[str] | None = None) -> None:
        CustomField.objects.create(
            target="ticket", key=key, type=type, name_en=key.title(), name_es=key.title(),
            options=options or [],
        )  # fmt: skip

    define("support-plan", "select", ["Gold", "Gold Plus", "Silver"])
    define("modules", "multiselect", ["Gold", "Gold Plus", "Billing"])
    define("vip", "checkbox")
    define("seats", "number")
    define("renewal", "date")
    define("note", "text")
    return {
        "gold": make_ticket(
            custom_fields={
                "support-plan": "Gold",
                "modules": ["Gold Plus", "Billing"],
                "vip": True,
                "seats": 5,
                "renewal": "2027-01-31",
                "note": "Key account in Madrid",
            }
        ),
        "plus": make_ticket(
            custom_fields={"support-plan": "Gold Plus", "modules": ["Gold"], "vip": False}
        ),
        "bare": make_ticket(),
    }


def listed(**custom: str) -> set[int]:
    filters = TicketFilters(custom=tuple(custom.items()))
    return {t.pk for t in list_tickets(SYSTEM, filters, limit=50).items}


def test_each_type_matches_as_an_agent_expects(tickets: dict[str, Ticket]) -> None:
    gold, plus = tickets["gold"].pk, tickets["plus"].pk
    assert listed(**{"support-plan": "Gold"}) == {gold}  # exact: not "Gold Plus"
    assert listed(modules="Gold") == {plus}  # an option among the chosen, not a substring
    assert listed(modules="Billing") == {gold}
    assert listed(vip="true") == {gold}
    assert listed(vip="false") == {plus}
    assert listed(seats="5") == {gold} and listed(seats="5.0") == {gold}
    assert listed(seats="6") == set()
    assert listed(renewal="2027-01-31") == {gold}
    assert listed(note="madrid") == {gold}  # text contains, any case
    assert listed(**{"support-plan": "Gold Plus"}, vip="false") == {plus}  # all must hold


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("cf_nope", "x", "Unknown custom field."),
        ("cf_seats", "five", "Enter a number."),
        ("cf_renewal", "31/01/2027", "Enter a date as YYYY-MM-DD."),
        ("cf_vip", "maybe", "Enter true or false."),
        ("cf_support-plan", "Platinum", "Choose one of: Gold, Gold Plus, Silver."),
        ("cf_note", "x" * 201, "The value must be at most 200 characters."),
    ],
)
def test_bad_filters_are_named(
    tickets: dict[str, Ticket], name: str, value: str, reason: str
) -> None:
    with pytest.raises(Invalid) as caught:
        saved_views.clean_filters({name: value})
    assert [(e.field, e.message) for e in caught.value.errors] == [(name, reason)]


def test_a_saved_view_keeps_its_custom_filters(tickets: dict[str, Ticket]) -> None:
    admin = make_admin()
    view = saved_views.create_saved_view(
        web(admin), name="Gold", filters={"cf_support-plan": "Gold"}
    )
    assert view.filters == {"cf_support-plan": "Gold"}
    run = saved_views.ticket_filters(web(admin), view.filters)
    assert {t.pk for t in list_tickets(web(admin), run).items} == {tickets["gold"].pk}


def test_the_api_filters_by_custom_field(tickets: dict[str, Ticket]) -> None:
    admin = make_admin()
    _, token = create_api_token(SYSTEM, user=admin, name="tests")
    api = ApiClient(Client(), token, admin)
    body = api.get("/tickets", {"custom_field": ["support-plan:Gold Plus", "vip:false"]}).json()
    assert [t["id"] for t in body["items"]] == [tickets["plus"].pk]
    for bad in ("novalue", "seats:five", "nope:1"):
        body = problem(api.get("/tickets", {"custom_field": bad}), 422)
        assert fields(body) == {"custom_field"}
    assert "seats: Enter a number." in str(
        api.get("/tickets", {"custom_field": "seats:five"}).json()
    )


def test_the_inbox_offers_and_applies_custom_field_filters(tickets: dict[str, Ticket]) -> None:
    client = signed_in(make_admin())
    page = client.get(reverse("inbox"), {"view": "open", "filters": "1"}).content.decode()
    assert 'name="cf_support-plan"' in page and '<option value="Gold Plus">' in page
    response = client.get(
        reverse("inbox"), {"view": "open", "filtered": "1", "cf_support-plan": "Gold"}
    )
    html = response.content.decode()
    assert f'id="ticket-row-{tickets["gold"].pk}"' in html
    assert f'id="ticket-row-{tickets["plus"].pk}"' not in html
    bad = client.get(reverse("inbox"), {"view": "open", "filtered": "1", "cf_seats": "five"})
    assert "Enter a number." in bad.content.decode()
