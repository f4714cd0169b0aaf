"""Similar solved tickets: indexed when solved (through the outbox), dropped when reopened or
merged, shown to staff only and only within what the agent may see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.core.actor import Actor
from atiende.core.errors import Forbidden
from atiende.kb.similar import rebuild_tickets, similar_solved_tickets
from atiende.outbox.delivery import deliver_due
from atiende.outbox.models import Effect
from atiende.semantic import encoder, matrix
from atiende.semantic.selectors import has
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def _fresh_matrices() -> Iterator[None]:
    matrix.forget()
    yield
    matrix.forget()


def _solved(subject: str, body: str, resolution: str, **fields: object) -> Ticket:
    ticket = make_ticket(subject=subject, body=body, **fields)
    tickets.update_ticket(
        SYSTEM,
        ticket_id=ticket.pk,
        version=None,
        changes={"status": "solved", "resolution": resolution},
    )
    deliver_due()
    return ticket


def test_a_solved_ticket_is_indexed_and_found_for_a_new_question() -> None:
    old = _solved(
        "Cannot sign in after changing my password",
        "Since I changed my password the app says my credentials are wrong.",
        "Clear the app's saved session in Settings > Account and sign in again.",
    )
    _solved("Invoice address", "Please change the address on my invoice.", "Updated the address.")
    assert has("ticket", old.pk)
    new = make_ticket(
        subject="No puedo entrar",
        body="Cambié la contraseña y ahora la aplicación dice que mis datos no son correctos.",
    )
    assert not Effect.objects.filter(kind="semantic.ticket", payload={"ticket_id": new.pk}).exists()
    [card, *_rest] = similar_solved_tickets(web(make_admin()), new.pk)
    assert (card.ticket_id, card.number, card.subject) == (old.pk, old.number, old.subject)
    assert card.resolution.startswith("Clear the app's saved session")
    assert 0.35 <= card.similarity <= 1.0


def test_the_last_public_reply_stands_in_for_a_missing_resolution() -> None:
    agent = make_agent()
    ticket = make_ticket(subject="Refund for a broken lamp", body="It arrived broken.")
    tickets.reply(web(agent), ticket_id=ticket.pk, body="We have refunded the full price.")
    tickets.reply(web(agent), ticket_id=ticket.pk, body="Note to self", public=False)
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
    deliver_due()
    new = make_ticket(subject="Lámpara rota", body="La lámpara llegó rota, quiero mi dinero.")
    [card] = similar_solved_tickets(web(make_admin()), new.pk)
    assert card.ticket_id == ticket.pk and card.resolution == "We have refunded the full price."


def test_reopened_and_merged_tickets_leave_the_index() -> None:
    reopened = _solved("Printer offline", "The printer is offline.", "Restarted the spooler.")
    merged = _solved("Printer offline again", "Printer offline.", "Restarted the spooler.")
    assert has("ticket", reopened.pk) and has("ticket", merged.pk)
    tickets.change_status(SYSTEM, ticket_id=reopened.pk, status="open")
    tickets.merge_tickets(SYSTEM, source_id=merged.pk, target_id=make_ticket().pk)
    deliver_due()
    assert not has("ticket", reopened.pk) and not has("ticket", merged.pk)


def test_an_agent_never_gets_a_card_of_a_ticket_outside_their_groups() -> None:
    billing, tech = make_group("Billing"), make_group("Tech")
    hidden = _solved(
        "Charged twice this month",
        "My card was charged twice for the same invoice.",
        "Refunded the duplicate charge.",
        group_id=billing.pk,
    )
    seen = _solved(
        "Double charge on my card",
        "I see two charges for one order.",
        "The second charge was a pending authorisation; it disappears in 3 days.",
        group_id=tech.pk,
    )
    question = make_ticket(
        subject="Cobro duplicado", body="Me cobraron dos veces la factura.", group_id=tech.pk
    )
    agent = web(make_agent(tech))
    cards = similar_solved_tickets(agent, question.pk)
    assert [c.ticket_id for c in cards] == [seen.pk]
    assert {c.ticket_id for c in similar_solved_tickets(web(make_admin()), question.pk)} == {
        hidden.pk,
        seen.pk,
    }
    with pytest.raises(TicketNotFound):  # nor ask about a ticket they cannot see
        similar_solved_tickets(web(make_agent(billing)), question.pk)


def test_customers_never_get_similar_tickets() -> None:
    customer = make_customer()
    _solved("Password reset", "I forgot my password.", "Sent a reset link.")
    own = make_ticket(customer, subject="Olvidé mi contraseña", body="No recuerdo la clave.")
    with pytest.raises(Forbidden):
        similar_solved_tickets(web(customer), own.pk)


def test_the_panel_is_for_agents_only(client: Client) -> None:
    old = _solved("Password reset", "I forgot my password.", "Sent a reset link.")
    customer = make_customer()
    own = make_ticket(customer, subject="Olvidé mi contraseña", body="No recuerdo la clave.")
    url = reverse("ticket-assist", args=[own.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404  # anonymous
    client.force_login(customer)
    answer = client.get(url, headers={"HX-Request": "true"})
    assert answer.status_code == 404 and old.subject not in answer.content.decode()
    client.force_login(make_admin())
    page = client.get(url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"#{old.number} Password reset" in html and "Sent a reset link." in html
    assert "% alike" in html
    other_group = make_ticket(subject="x", body="y", group_id=make_group("Other").pk)
    client.force_login(make_agent(make_group("Mine")))
    assert client.get(reverse("ticket-assist", args=[other_group.pk])).status_code == 404


def test_the_ticket_page_loads_the_panel_lazily(client: Client) -> None:
    ticket = make_ticket(subject="Printer offline", body="The printer is offline.")
    client.force_login(make_admin())
    html = client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert reverse("ticket-assist", args=[ticket.pk]) in html and 'hx-trigger="load"' in html


def test_unavailable_encoder_means_no_cards_and_a_retried_effect() -> None:
    ticket = make_ticket(subject="Printer offline", body="The printer is offline.")
    previous = encoder.reset_for_tests(None, failed=True)
    try:
        tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
        deliver_due()
        assert similar_solved_tickets(web(make_admin()), make_ticket().pk) == []
    finally:
        encoder.reset_for_tests(*previous[:1], failed=previous[1])
    effect = Effect.objects.get(kind="semantic.ticket")
    assert effect.state == "pending" and effect.attempts == 1 and not has("ticket", ticket.pk)


def test_rebuild_embeds_every_solved_ticket() -> None:
    ticket = make_ticket(subject="Printer offline", body="The printer is offline.")
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")  # not delivered
    make_ticket(subject="Open one", body="Still open.")
    assert rebuild_tickets() == 1 and has("ticket", ticket.pk)


def test_switched_off_nothing_is_enqueued(settings: Any) -> None:
    settings.ATIENDE_SEMANTIC = "off"
    ticket = make_ticket(subject="Printer offline", body="The printer is offline.")
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
    assert not Effect.objects.filter(kind="semantic.ticket").exists()
    assert similar_solved_tickets(web(make_admin()), ticket.pk) == []
