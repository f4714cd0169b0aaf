"""One inbox row, fresh, for the live inbox: drawn through the view's own filters and columns,
empty when the ticket left the view or the agent's sight."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atiende.tickets import services
from tests.factories import SYSTEM, make_customer, make_ticket
from tests.web.inbox.conftest import Team, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_row_is_drawn_again_with_its_new_values(team: Team) -> None:
    ticket = make_ticket(make_customer(), group_id=team.support.pk, subject="Printer")
    services.update_ticket(
        SYSTEM,
        ticket_id=ticket.pk,
        version=1,
        changes={"priority": "urgent", "subject": "Printer <b>on fire</b>"},
    )
    response = signed_in(team.agent).get(
        reverse("inbox-row", args=[ticket.pk]), {"view": "open"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<tr") == 1
    assert f'id="ticket-row-{ticket.pk}"' in body
    assert "Printer &lt;b&gt;on fire&lt;/b&gt;" in body
    assert "Urgent" in body


def test_a_ticket_out_of_the_view_or_out_of_sight_has_no_row(team: Team) -> None:
    ticket = make_ticket(make_customer(), group_id=team.support.pk, subject="Printer")
    hidden = make_ticket(make_customer(), group_id=team.billing.pk, subject="Secret")
    client = signed_in(team.agent)
    url = reverse("inbox-row", args=[hidden.pk])
    assert client.get(url, {"view": "open"}).content == b""
    services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"status": "solved"})
    assert client.get(reverse("inbox-row", args=[ticket.pk]), {"view": "open"}).content == b""
    assert client.get(reverse("inbox-row", args=[999_999]), {"view": "open"}).content == b""


@pytest.mark.parametrize("view", ["nope", "<script>", "9" * 30])
def test_an_unknown_view_is_a_clear_error(team: Team, view: str) -> None:
    response = signed_in(team.agent).get(
        reverse("inbox-row", args=[1]), {"view": view}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    assert b"<script>" not in response.content
    assert b"alert" in response.content
