"""The search box's suggestions and the full results page: scoping, filters, highlighting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import IdentityChannel, User
from atiende.accounts.services import add_identity
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel, CustomField, CustomFieldTarget, CustomFieldType, Ticket
from tests.factories import (
    SYSTEM,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def indexed(on_commit: Callable[..., Any]) -> Callable[..., Ticket]:
    """Open a ticket through the services with subscribers run, so search indexes it."""

    def make(subject: str, body: str = "Something is not working.", **fields: Any) -> Ticket:
        with on_commit():
            return make_ticket(subject=subject, body=body, **fields)

    return make


SignedIn = Callable[[User], Client]
Indexed = Callable[..., Ticket]


def suggest(client: Client, query: str) -> str:
    response = client.get(reverse("search-suggest"), {"q": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return str(response.content.decode())


def page(client: Client, **params: Any) -> str:
    return str(client.get(reverse("search"), params).content.decode())


# --- the box ----------------------------------------------------------------------------


def test_box_is_an_accessible_combobox_on_every_workspace_page(signed_in: SignedIn) -> None:
    html = str(signed_in(make_agent()).get(reverse("customers")).content.decode())
    assert 'id="global-search"' in html
    assert 'role="combobox"' in html and 'aria-controls="global-search-results"' in html
    assert 'aria-expanded="false"' in html and 'aria-autocomplete="list"' in html
    assert 'id="global-search-results" class="search-suggest" role="listbox"' in html
    assert 'hx-trigger="keyup changed delay:250ms, search"' in html
    assert 'data-shortcut="/"' in html
    assert "/static/web/search.js" in html


def test_suggest_ticket_by_number(signed_in: SignedIn) -> None:
    ticket = make_ticket(subject="Broken screen")
    client = signed_in(make_agent())
    for query in (f"#{ticket.number}", str(ticket.number)):
        html = suggest(client, query)
        assert f'href="/tickets/{ticket.pk}/"' in html
        assert f"#{ticket.number} Broken screen" in html
        assert 'role="option"' in html and 'aria-selected="false"' in html


def test_suggest_customers_by_name_email_phone_and_identifier(signed_in: SignedIn) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER,
        key="tax_id",
        type=CustomFieldType.TEXT,
        name_en="Tax id",
        is_identifier=True,
    )
    ana = make_customer(
        name="Ana Torres",
        email="ana@example.com",
        phone="+34 600 100 200",
        custom_fields={"tax_id": "X-99"},
    )
    add_identity(SYSTEM, user_id=ana.pk, channel=IdentityChannel.INSTAGRAM, value="ana.insta")
    make_customer(name="Other Person", email="other@example.com")
    client = signed_in(make_agent())
    for query in ("torr", "ana@example.com", "600100200", "x-99", "ana.insta"):
        html = suggest(client, query)
        assert f'href="/customers/{ana.pk}/"' in html, query
        assert "Other Person" not in html, query


def test_suggest_tickets_by_a_word_of_a_message_within_scope(
    signed_in: SignedIn, indexed: Indexed
) -> None:
    mine, other = make_group(), make_group()
    seen = indexed("Printer", "The toner cartridge leaks.", group_id=mine.pk)
    hidden = indexed("Printer too", "The toner is empty.", group_id=other.pk)
    html = suggest(signed_in(make_agent(mine)), "toner")
    assert f'href="/tickets/{seen.pk}/"' in html
    assert f'href="/tickets/{hidden.pk}/"' not in html
    assert 'href="/search/?q=toner"' in html  # all results
    assert 'data-count-text="2 suggestions"' in html


def test_suggest_empty_or_punctuation_gives_nothing(signed_in: SignedIn) -> None:
    client = signed_in(make_agent())
    assert suggest(client, "").strip() == ""
    assert suggest(client, "!!!").strip() == ""


def test_suggest_escapes_what_people_typed(signed_in: SignedIn) -> None:
    make_customer(name="<img src=x onerror=alert(1)>")
    html = suggest(signed_in(make_agent()), "<img")
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_customers_cannot_search(signed_in: SignedIn) -> None:
    client = signed_in(make_customer())
    assert client.get(reverse("search-suggest"), {"q": "a"}).status_code == 403
    assert client.get(reverse("search"), {"q": "a"}).status_code == 403


# --- the results page -------------------------------------------------------------------


def test_hash_number_goes_straight_to_the_ticket(signed_in: SignedIn) -> None:
    ticket = make_ticket()
    client = signed_in(make_agent())
    response = client.get(reverse("search"), {"q": f"#{ticket.number}"})
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.pk}/"
    bare = page(client, q=str(ticket.number))
    assert 'class="search-hit"' in bare and f'href="/tickets/{ticket.pk}/"' in bare


def test_number_of_an_invisible_ticket_is_no_hit(signed_in: SignedIn) -> None:
    hidden = make_ticket(group_id=make_group().pk)
    client = signed_in(make_agent(make_group()))
    response = client.get(reverse("search"), {"q": f"#{hidden.number}"})
    assert response.status_code == 200
    assert f"/tickets/{hidden.pk}/" not in str(response.content.decode())


def test_results_highlight_subjects_and_messages(signed_in: SignedIn, indexed: Indexed) -> None:
    ticket = indexed("El camión no arranca", "Desde ayer el Camión hace un ruido extraño.")
    html = page(signed_in(make_agent()), q="camión")
    assert f"#{ticket.number} El <mark>camión</mark> no arranca" in html
    assert "el <mark>Camión</mark> hace" in html


def test_highlight_folds_accents_and_case(signed_in: SignedIn, indexed: Indexed) -> None:
    indexed("Canción favorita", "La CANCIÓN suena mal.")
    html = page(signed_in(make_agent()), q="cancion")
    assert "<mark>Canción</mark> favorita" in html
    assert "La <mark>CANCIÓN</mark> suena" in html


def test_highlighting_escapes_html_in_the_text(signed_in: SignedIn, indexed: Indexed) -> None:
    indexed("<b>x</b> printer", "<script>alert('printer')</script>")
    html = page(signed_in(make_agent()), q="printer")
    assert "&lt;b&gt;x&lt;/b&gt; <mark>printer</mark>" in html
    assert "<b>x</b>" not in html
    assert "<script>alert" not in html


def test_internal_notes_match_for_staff_and_are_labelled(
    signed_in: SignedIn, indexed: Indexed, on_commit: Callable[..., Any]
) -> None:
    ticket = indexed("Refund")
    with on_commit():
        tickets.add_message(SYSTEM, ticket_id=ticket.pk, body="Known fraudster.", public=False)
    html = page(signed_in(make_agent()), q="fraudster")
    assert f'href="/tickets/{ticket.pk}/"' in html
    assert "Internal note</span> Known <mark>fraudster</mark>." in html


def test_results_are_scoped_to_the_agent(signed_in: SignedIn, indexed: Indexed) -> None:
    mine, other = make_group(), make_group()
    seen = indexed("Scanner broken", group_id=mine.pk)
    hidden = indexed("Scanner secret", group_id=other.pk)
    html = page(signed_in(make_agent(mine)), q="scanner")
    assert f'href="/tickets/{seen.pk}/"' in html
    assert f'href="/tickets/{hidden.pk}/"' not in html and "secret" not in html


def test_filters_status_group_channel_and_dates(signed_in: SignedIn, indexed: Indexed) -> None:
    group = make_group()
    by_phone = indexed("Router down", channel=Channel.PHONE, group_id=group.pk)
    by_mail = indexed("Router slow", channel=Channel.EMAIL)
    solved = indexed("Router fixed", channel=Channel.EMAIL)
    tickets.change_status(SYSTEM, ticket_id=solved.pk, status="solved")
    client = signed_in(make_agent(group))

    def found(**filters: Any) -> set[int]:
        response = client.get(reverse("search"), {"q": "router", **filters})
        return {row.ticket.pk for row in response.context["tickets"]}

    assert found() == {by_phone.pk, by_mail.pk, solved.pk}
    assert found(channel="phone") == {by_phone.pk}
    assert found(group=str(group.pk)) == {by_phone.pk}
    assert found(status_category="solved") == {solved.pk}
    today = by_phone.created_at.date().isoformat()
    assert found(created_from=today, created_to=today) == {by_phone.pk, by_mail.pk, solved.pk}
    assert found(created_from="2001-01-01", created_to="2001-01-02") == set()


def test_bad_filters_are_shown_and_ignored(signed_in: SignedIn, indexed: Indexed) -> None:
    indexed("Router down")
    client = signed_in(make_agent())
    response = client.get(
        reverse("search"),
        {
            "q": "router",
            "channel": "pigeon",
            "group": "999999",
            "created_from": "2024-02-10",
            "created_to": "2024-02-01",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"channel", "group", "created_to"}
    assert "The end date is before the start date." in str(response.content.decode())
    assert len(response.context["tickets"]) == 1  # the query still runs, unfiltered


def test_a_tampered_cursor_is_a_clear_error(signed_in: SignedIn) -> None:
    response = signed_in(make_agent()).get(reverse("search"), {"q": "router", "cursor": "@@"})
    assert response.status_code == 422
    assert "The cursor is not valid for this list." in str(response.content.decode())


def test_customer_and_organization_tabs(signed_in: SignedIn) -> None:
    org = make_org("Torres Logistics", domains=("torres.test",))
    ana = make_customer(name="Ana Torres", email="ana@torres.test", organization_id=org.pk)
    client = signed_in(make_agent())

    people = page(client, q="torres", tab="customers")
    assert f'href="/customers/{ana.pk}/">Ana <mark>Torres</mark></a>' in people
    assert 'aria-current="page">Customers</a>' in people
    orgs = page(client, q="torres", tab="organizations")
    assert f'href="/organizations/{org.pk}/"><mark>Torres</mark> Logistics</a>' in orgs
    assert "torres.test" in orgs
    assert "tab=organizations" in page(client, q="torres")  # tabs keep the query


def test_results_page_paginates(signed_in: SignedIn, indexed: Indexed) -> None:
    for n in range(27):
        indexed(f"Modem issue {n}")
    client = signed_in(make_agent())
    first = client.get(reverse("search"), {"q": "modem"})
    assert len(first.context["tickets"]) == 25
    assert first.context["next_url"]
    second = client.get(reverse("search") + first.context["next_url"])
    assert len(second.context["tickets"]) == 2
    assert not second.context["next_url"]


def test_empty_search_asks_for_a_query(signed_in: SignedIn) -> None:
    html = page(signed_in(make_agent()))
    assert "Type a ticket number" in html


@pytest.mark.parametrize("count", [3, 30])
def test_results_and_suggestions_stay_bounded(
    signed_in: SignedIn, indexed: Indexed, count: int, django_assert_max_num_queries: Any
) -> None:
    group = make_group()
    for n in range(count):
        ticket = indexed(f"Laptop battery {n}", "The laptop battery drains.", group_id=group.pk)
        tickets.add_message(SYSTEM, ticket_id=ticket.pk, body="Laptop still draining.")
        make_customer(name=f"Laptop Owner {n}")
    client = signed_in(make_agent(group))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("search"), {"q": "laptop"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("search"), {"q": "laptop", "tab": "customers"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("search-suggest"), {"q": "laptop"}).status_code == 200


@pytest.mark.parametrize("query", ["\x00", "%_", "' OR 1=1 --", '"unclosed', "NEAR(", "a" * 5000])
def test_hostile_queries_answer_normally(signed_in: SignedIn, query: str) -> None:
    make_customer(name="Someone")
    client = signed_in(make_agent())
    assert client.get(reverse("search-suggest"), {"q": query}).status_code == 200
    for tab in ("tickets", "customers", "organizations"):
        assert client.get(reverse("search"), {"q": query, "tab": tab}).status_code == 200


@pytest.mark.parametrize(
    "query", ["vazquez", "VÁZQUEZ", "ramon.vazquez@example.com", "612 34 56 78"]
)
def test_a_customers_name_email_or_phone_shows_their_tickets(
    signed_in: SignedIn, indexed: Indexed, query: str
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group)
    ramon = make_customer(
        name="Ramón Vázquez", email="ramon.vazquez@example.com", phone="+34 612 34 56 78"
    )
    theirs = indexed("La impresora no imprime", requester=ramon, group_id=group.pk)
    hidden = indexed("Factura duplicada", requester=ramon, group_id=make_group().pk)
    other = indexed("Otro asunto", requester=make_customer(name="Ana Ruiz"), group_id=group.pk)
    body = page(signed_in(agent), q=query, tab="tickets")
    assert f"#{theirs.number}" in body
    assert f"#{hidden.number}" not in body  # still only the tickets the agent may see
    assert f"#{other.number}" not in body


def test_a_common_name_does_not_pull_in_every_namesakes_tickets(
    signed_in: SignedIn, indexed: Indexed
) -> None:
    from atiende.web.search import views

    group = make_group("Soporte")
    agent = make_agent(group)
    namesakes = [make_customer(name=f"María {n}") for n in range(views.NAMED_CUSTOMERS + 1)]
    tickets = [indexed("Sin relación", requester=c, group_id=group.pk) for c in namesakes]
    body = page(signed_in(agent), q="maria", tab="tickets")
    assert not any(f"#{t.number}" in body for t in tickets)
