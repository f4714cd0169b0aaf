"""Error pages (403, 404, 500) inside the workspace, translated; a ticket that leaves the
agent's sight sends them to the inbox with a message, never a raw "Not Found"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from atiende.accounts.models import User
from atiende.tickets import services
from atiende.tickets.models import Ticket
from atiende.web import errors
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def signed_in(user: User) -> Client:
    client = Client(headers={"Accept-Language": "es"})
    client.force_login(user)
    return client


def spanish(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


@pytest.fixture
def two_groups() -> tuple[Any, Any, User, Ticket]:
    support, billing = make_group("Soporte"), make_group("Facturación")
    agent = make_agent(support, name="Ana Pérez")
    ticket = make_ticket(make_customer(), group_id=support.pk, subject="Impresora")
    return support, billing, agent, ticket


def test_moving_a_ticket_out_of_sight_says_so_and_goes_to_the_inbox(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    _support, billing, agent, ticket = two_groups
    client = signed_in(agent)
    url = reverse("ticket-field", args=[ticket.pk, "group"])
    response = client.post(url, {"group_id": billing.pk, "version": ticket.version}, headers=HX)

    assert response.status_code == 200
    inbox = f"{reverse('inbox')}?gone={ticket.number}"
    assert response["HX-Redirect"] == inbox
    assert "ticket-changed" not in response.get("HX-Trigger", "")
    assert Ticket.objects.get(pk=ticket.pk).group_id == billing.pk
    expected = spanish(
        "Ticket #%(number)s is no longer visible to you, so you are back in the inbox."
    )
    assert expected % {"number": ticket.number} in client.get(inbox).content.decode()
    # The inbox itself, reached any other way, says nothing of it.
    assert expected % {"number": ticket.number} not in client.get(reverse("inbox")).content.decode()


def test_fragments_of_a_ticket_that_left_sight_all_redirect_with_its_number(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    """Several fragments hear the same 404 at once; whichever redirect wins, the inbox names
    the ticket — the number the page itself sent, since an id out of sight tells none."""
    _support, billing, agent, ticket = two_groups
    client = signed_in(agent)
    client.get(reverse("ticket", args=[ticket.pk]))
    # A colleague moves it, through the write path.
    services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"group_id": billing.pk})
    page = {**HX, "X-Atiende-Ticket-Number": str(ticket.number)}
    # The live refresh asks for the header, the timeline and the time panel at once.
    answers = [
        client.get(reverse(name, args=[ticket.pk]), headers=page)
        for name in ("ticket-header", "ticket-timeline", "ticket-time")
    ]
    for answer in answers:
        assert answer.status_code == 404
        assert answer["HX-Redirect"] == f"{reverse('inbox')}?gone={ticket.number}"
        assert b"Not Found" not in answer.content


@pytest.mark.parametrize("hostile", ["", "²", "1" * 5000, "-3", "12abc", "<script>"])
def test_a_hostile_ticket_number_gives_the_plain_message_never_an_error(
    two_groups: tuple[Any, Any, User, Ticket], hostile: str
) -> None:
    _support, billing, agent, ticket = two_groups
    client = signed_in(agent)
    services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"group_id": billing.pk})
    answer = client.get(
        reverse("ticket-header", args=[ticket.pk]),
        headers={**HX, "X-Atiende-Ticket-Number": hostile},
    )
    assert answer["HX-Redirect"] == f"{reverse('inbox')}?gone="
    inbox = client.get(reverse("inbox"), {"gone": hostile})
    assert inbox.status_code == 200
    plain = spanish(
        "That ticket does not exist or is no longer visible to you, so you are back in the inbox."
    )
    assert plain in inbox.content.decode()
    assert "<script>" not in inbox.content.decode().split('class="flash"')[1][:400]


@pytest.mark.parametrize("hostile", ["999999", "0"])
def test_a_ticket_that_never_existed_is_the_same_page_as_one_out_of_sight(
    two_groups: tuple[Any, Any, User, Ticket], hostile: str
) -> None:
    _support, billing, agent, _ticket = two_groups
    hidden = make_ticket(make_customer(), group_id=billing.pk, subject="Secreto")
    client = signed_in(agent)
    missing = client.get(f"/tickets/{hostile}/")
    invisible = client.get(reverse("ticket", args=[hidden.pk]))
    assert missing.status_code == invisible.status_code == 404
    for page in (missing, invisible):
        body = page.content.decode()
        assert "Not Found" not in body
        assert "No encontrado" in body or "Ticket no encontrado" in body
        assert 'id="sidebar"' in body  # inside the workspace
        assert "Secreto" not in body


def test_an_unknown_url_is_a_translated_404_inside_the_workspace(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    _s, _b, agent, _t = two_groups
    response = signed_in(agent).get("/no-such-page/<script>alert(1)</script>")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1" in body and "No encontrado" in body
    assert 'id="sidebar"' in body
    assert "<script>alert(1)</script>" not in body


def test_an_htmx_404_is_a_small_translated_message_not_a_page(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    _s, _b, agent, _t = two_groups
    response = signed_in(agent).get("/inbox/views/999999/edit/", headers=HX)
    body = response.content.decode()
    assert response.status_code == 404
    assert "data-error-fragment" in body
    assert "<html" not in body and "Not Found" not in body
    assert "No encontrado" in body


def test_anonymous_and_customers_get_the_plain_frame(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    anonymous = Client(headers={"Accept-Language": "es"}).get("/no-such-page/")
    assert anonymous.status_code == 404
    assert 'id="sidebar"' not in anonymous.content.decode()
    assert "No encontrado" in anonymous.content.decode()
    customer = make_customer()
    forbidden = signed_in(customer).get(reverse("inbox"))
    assert forbidden.status_code == 403
    assert "No permitido" in forbidden.content.decode()
    assert 'id="sidebar"' not in forbidden.content.decode()


def test_a_forbidden_settings_page_is_inside_the_workspace(
    two_groups: tuple[Any, Any, User, Ticket],
) -> None:
    _s, _b, agent, _t = two_groups
    response = signed_in(agent).get(reverse("settings-home"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "No permitido" in body
    assert 'id="sidebar"' in body


def test_a_server_error_is_a_translated_page_inside_the_workspace(
    two_groups: tuple[Any, Any, User, Ticket], rf: Any
) -> None:
    _s, _b, agent, _t = two_groups
    request = rf.get("/tickets/1/")
    request.user = agent
    request.csp_nonce = "n"
    with translation.override("es"):
        response = errors.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Error del servidor" in body
    assert 'id="sidebar"' in body
