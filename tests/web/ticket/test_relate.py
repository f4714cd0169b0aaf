"""Merge and link from the ticket page: find the other ticket within sight, confirm, done."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets import services
from atiende.tickets.models import Ticket, TicketEvent, TicketLink
from tests.factories import make_group, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def search(client: Any, ticket: Ticket, q: str, hx: dict[str, str]) -> str:
    response = client.get(reverse("ticket-relate-search", args=[ticket.pk]), {"q": q}, headers=hx)
    assert response.status_code == 200
    return str(response.content.decode())


def relate(client: Any, ticket: Ticket, hx: dict[str, str], **data: Any) -> Any:
    return client.post(reverse("ticket-relate", args=[ticket.pk]), data, headers=hx)


def test_the_ticket_page_offers_merge_or_link(client_for: Any, agent: User, ticket: Ticket) -> None:
    body = client_for(agent).get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert "Merge or link" in body
    assert 'id="related-box"' in body


def test_search_by_number_or_subject_words_only_among_visible_tickets(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    other = make_ticket(group_id=group.pk, subject="Impresora sin tóner en la oficina")
    hidden = make_ticket(group_id=make_group().pk, subject="Impresora secreta")
    merged = make_ticket(group_id=group.pk, subject="Impresora repetida")
    services.merge_tickets(web(agent), source_id=merged.pk, target_id=other.pk)
    client = client_for(agent)

    by_words = search(client, ticket, "impresora OFICINA", hx)
    assert f"#{other.number} Impresora sin tóner" in by_words
    assert "secreta" not in by_words and "repetida" not in by_words
    assert f"#{other.number}" in search(client, ticket, f"#{other.number}", hx)
    assert "No ticket you can see matches." in search(client, ticket, str(hidden.number), hx)
    # The ticket itself is no candidate, nor is anything for an empty query.
    assert f'value="{ticket.pk}"' not in search(client, ticket, str(ticket.number), hx)
    assert "<li" not in search(client, ticket, "   ", hx)
    hostile = search(client, ticket, "<script>alert(1)</script>" * 10, hx)
    assert "<script>" not in hostile


def test_merge_asks_first_then_merges_and_goes_to_the_other_ticket(
    client_for: Any, agent: User, group: Group, ticket: Ticket, hx: dict[str, str]
) -> None:
    other = make_ticket(group_id=group.pk, subject="Printer, the original")
    client = client_for(agent)

    ask = relate(client, ticket, hx, other_id=other.pk, action="merge")

    html = ask.content.decode()
    assert ask.status_code == 200
    assert f"Merge #{ticket.number} “Printer on fire” into #{other.number}" in html
    assert "A merge cannot be undone." in html
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None

    done = relate(client, ticket, hx, other_id=other.pk, action="merge", confirmed="1")

    assert done["HX-Redirect"] == reverse("ticket", args=[other.pk])
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id == other.pk
    assert TicketEvent.objects.filter(ticket=ticket, action="merged", actor=agent).exists()


def test_link_asks_first_then_links_through_the_service(
    client_for: Any,
    agent: User,
    group: Group,
    ticket: Ticket,
    hx: dict[str, str],
    published: list[Any],
) -> None:
    other = make_ticket(group_id=group.pk, subject="Same printer, other floor")
    client = client_for(agent)

    ask = relate(client, ticket, hx, other_id=other.pk, action="duplicate")
    assert f"Link #{ticket.number} “Duplicate of” #{other.number}" in ask.content.decode()
    assert not TicketLink.objects.exists()

    done = relate(client, ticket, hx, other_id=other.pk, action="duplicate", confirmed="1")

    html = done.content.decode()
    assert f"Linked to #{other.number}." in html
    assert 'hx-swap-oob="true"' in html and "Same printer, other floor" in html
    assert done["HX-Trigger"] == "ticket-changed"
    link = TicketLink.objects.get()
    assert (link.source_id, link.target_id, link.kind) == (ticket.pk, other.pk, "duplicate")
    assert [type(e).__name__ for e in published][-1] == "TicketLinked"

    again = relate(client, ticket, hx, other_id=other.pk, action="duplicate", confirmed="1")
    assert again.status_code == 409
    assert "already linked" in again.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "merge"},
        {"other_id": "abc", "action": "merge"},
        {"other_id": "1", "action": "explode"},
        {"other_id": str(2**64), "action": "related"},
    ],
)
def test_bad_input_gets_a_clear_error(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str], data: dict[str, str]
) -> None:
    response = relate(client_for(agent), ticket, hx, **data)
    assert response.status_code == 422
    assert "Pick a ticket and what to do with it." in response.content.decode()


def test_an_invisible_or_the_same_ticket_cannot_be_picked(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    hidden = make_ticket(group_id=make_group().pk)
    client = client_for(agent)
    for other_id in (hidden.pk, ticket.pk, 987654):
        response = relate(client, ticket, hx, other_id=other_id, action="merge", confirmed="1")
        assert response.status_code == 422
        assert "There is no such ticket to merge or link." in response.content.decode()
    assert Ticket.objects.get(pk=hidden.pk).merged_into_id is None
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_without_javascript_the_steps_are_pages(
    client_for: Any, agent: User, group: Group, ticket: Ticket
) -> None:
    other = make_ticket(group_id=group.pk, subject="Printer, the original")
    client = client_for(agent)

    found = client.get(reverse("ticket-relate-search", args=[ticket.pk]), {"q": "original"})
    assert f"#{other.number} Printer, the original" in found.content.decode()
    ask = client.post(
        reverse("ticket-relate", args=[ticket.pk]), {"other_id": other.pk, "action": "related"}
    )
    assert "Yes, link" in ask.content.decode()
    done = client.post(
        reverse("ticket-relate", args=[ticket.pk]),
        {"other_id": other.pk, "action": "related", "confirmed": "1"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("ticket", args=[ticket.pk])
    assert TicketLink.objects.filter(source=ticket, target=other, kind="related").exists()
