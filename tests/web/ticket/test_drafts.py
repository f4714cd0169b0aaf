"""The composer's draft on the ticket page: saved by POST, restored by the page, private."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import my_draft
from tests.factories import make_agent, make_customer, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def save(client: Any, ticket: Ticket, **data: Any) -> Any:
    return client.post(reverse("ticket-draft", args=[ticket.pk]), data)


def test_a_saved_draft_comes_back_in_the_composer_as_it_was_left(
    client_for: Any, agent: User, ticket: Ticket
) -> None:
    client = client_for(agent)
    response = save(client, ticket, body="Nota <b>interna</b> sobre la facturación", public="0")
    assert response.status_code == 204

    body = client.get(reverse("ticket", args=[ticket.pk])).content.decode()

    assert "Nota &lt;b&gt;interna&lt;/b&gt; sobre la facturación</textarea>" in body
    assert 'name="public" value="0" data-shortcut="n" checked' in body
    assert "Your unsent draft from" in body
    assert f'data-draft-url="{reverse("ticket-draft", args=[ticket.pk])}"' in body


def test_another_agent_never_sees_the_draft(
    client_for: Any, agent: User, group: Group, ticket: Ticket
) -> None:
    save(client_for(agent), ticket, body="Solo mío", public="1")
    colleague = make_agent(group)

    body = client_for(colleague).get(reverse("ticket", args=[ticket.pk])).content.decode()

    assert "Solo mío" not in body
    assert "Your unsent draft" not in body


def test_sending_from_the_composer_clears_the_draft(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    save(client, ticket, body="Ya va", public="1")
    client.post(
        reverse("ticket-reply", args=[ticket.pk]), {"body": "Ya va", "public": "1"}, headers=hx
    )

    assert my_draft(web(agent), ticket) is None
    assert (
        "Ya va</textarea>" not in client.get(reverse("ticket", args=[ticket.pk])).content.decode()
    )


def test_a_late_save_after_the_send_is_refused_with_409(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    seen = ticket.messages.order_by("-pk").values_list("pk", flat=True).first()
    client.post(
        reverse("ticket-reply", args=[ticket.pk]), {"body": "Ya va", "public": "1"}, headers=hx
    )

    response = save(client, ticket, body="Ya va", public="1", last_seen=str(seen))

    assert response.status_code == 409
    assert my_draft(web(agent), ticket) is None


@pytest.mark.parametrize(
    "data", [{"body": "x", "last_seen": "-1"}, {"body": "x", "public": "maybe"}]
)
def test_bad_draft_input_gets_a_clear_error(
    client_for: Any, agent: User, ticket: Ticket, data: dict[str, str]
) -> None:
    response = save(client_for(agent), ticket, **data)
    assert response.status_code == 422
    assert "The draft could not be read." in response.content.decode()
    assert my_draft(web(agent), ticket) is None


def test_drafts_on_invisible_tickets_and_by_customers_are_refused(
    client_for: Any, ticket: Ticket
) -> None:
    outsider = make_agent()
    assert save(client_for(outsider), ticket, body="x").status_code == 404
    customer = make_customer()
    assert save(client_for(customer), ticket, body="x").status_code in (302, 403)
    assert client_for(outsider).get(reverse("ticket-draft", args=[ticket.pk])).status_code == 405
