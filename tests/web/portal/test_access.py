"""Who reaches what in the portal: a customer sees their own requests (and their
organization's only where the gate allows), never another customer's, an internal note or a
file that is not theirs; guesses answer 404; staff are sent to the workspace."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.services import mark_email_verified
from atiende.tickets import services as tickets
from atiende.tickets.selectors import visible_messages
from tests.factories import (
    PASSWORD,
    make_agent,
    make_customer,
    make_org,
    make_ticket,
    web,
)
from tests.web.portal.helpers import client_for, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_signed_out_visitors_sign_in_and_come_back() -> None:
    response = Client().get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/portal/"


def test_a_customer_lands_in_the_portal_after_signing_in_and_staff_in_the_workspace() -> None:
    make_customer(email="cliente@example.com")
    make_agent(email="agente@example.com")
    client = Client()
    signed = client.post(
        reverse("account_login"), {"login": "cliente@example.com", "password": PASSWORD}
    )
    assert signed["Location"] == "/portal/"
    agent = Client()
    signed = agent.post(
        reverse("account_login"), {"login": "agente@example.com", "password": PASSWORD}
    )
    assert signed["Location"] == reverse("home")


def test_an_agent_visiting_the_portal_is_sent_to_the_workspace() -> None:
    agent = make_agent()
    for path in ("/portal/", "/portal/profile/", f"/portal/requests/{make_ticket().pk}/"):
        response = client_for(agent).get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")


def test_another_customers_request_is_not_found_not_listed_and_not_writable() -> None:
    ana, bruno = make_customer(name="Ana"), make_customer(name="Bruno")
    mine = make_ticket(ana, subject="Mi factura")
    theirs = make_ticket(bruno, subject="La factura de Bruno")
    client = client_for(ana)

    listing = client.get("/portal/").content.decode()
    assert "Mi factura" in listing
    assert "La factura de Bruno" not in listing
    assert client.get(f"/portal/requests/{mine.pk}/").status_code == 200
    for path in (f"/portal/requests/{theirs.pk}/", "/portal/requests/999999/"):
        page = client.get(path)
        assert page.status_code == 404
        assert "La factura de Bruno" not in page.content.decode()
    for action in ("reply", "solve", "reopen"):
        response = client.post(f"/portal/requests/{theirs.pk}/{action}/", {"body": "hola"})
        assert response.status_code == 404
    assert visible_messages(web(bruno), theirs).count() == 1
    theirs.refresh_from_db()
    assert theirs.status.category == "new"


def test_internal_notes_and_their_files_never_reach_the_customer() -> None:
    agent = make_agent()
    customer = make_customer()
    ticket = make_ticket(customer, subject="Acceso")
    note_file = upload(agent, ticket, "interno.txt", b"solo para agentes")
    tickets.add_message(
        web(agent),
        ticket_id=ticket.pk,
        body="NOTA-SECRETA: el cliente debe dinero",
        public=False,
        attachment_ids=[note_file.pk],
    )
    tickets.add_message(web(agent), ticket_id=ticket.pk, body="Respuesta pública visible")
    client = client_for(customer)

    page = client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert "Respuesta pública visible" in page
    assert "NOTA-SECRETA" not in page
    assert "interno.txt" not in page
    assert client.get(f"/portal/files/{note_file.pk}/").status_code == 404


def test_a_customer_downloads_their_own_files_only() -> None:
    ana, bruno = make_customer(), make_customer()
    mine, theirs = make_ticket(ana), make_ticket(bruno)
    my_file = upload(ana, mine, "mio.pdf")
    tickets.add_message(web(ana), ticket_id=mine.pk, body="Adjunto", attachment_ids=[my_file.pk])
    their_file = upload(bruno, theirs, "suyo.pdf")
    tickets.add_message(web(bruno), ticket_id=theirs.pk, body="Adj", attachment_ids=[their_file.pk])
    pending = upload(bruno, theirs, "sin-enviar.pdf")
    client = client_for(ana)

    download = client.get(f"/portal/files/{my_file.pk}/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/portal/files/{their_file.pk}/").status_code == 404
    assert client.get(f"/portal/files/{pending.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("shared", "verified", "sees"),
    [(True, True, True), (True, False, False), (False, True, False)],
    ids=["shared-verified", "shared-unverified", "not-shared"],
)
def test_organization_requests_only_where_the_gate_allows(
    shared: bool, verified: bool, sees: bool
) -> None:
    org = make_org(shared=shared)
    ana = make_customer(organization_id=org.pk)
    colleague = make_customer(organization_id=org.pk, name="Colega Carmen")
    if verified:
        mark_email_verified(ana)
    theirs = make_ticket(colleague, subject="Pedido de Carmen")
    make_ticket(ana, subject="Mi pedido")
    client = client_for(ana)

    organization = client.get("/portal/?whose=organization").content.decode()
    assert ("Pedido de Carmen" in organization) is sees
    assert ("My organization" in organization) is sees
    assert "Mi pedido" in organization
    mine = client.get("/portal/?whose=mine").content.decode()
    assert "Pedido de Carmen" not in mine
    page = client.get(f"/portal/requests/{theirs.pk}/")
    assert page.status_code == (200 if sees else 404)
    if sees:
        # A colleague reads and replies, but only the requester closes their request.
        assert "Close my request" not in page.content.decode()
        assert client.post(f"/portal/requests/{theirs.pk}/solve/").status_code == 302
        theirs.refresh_from_db()
        assert theirs.status.category == "new"


def test_hostile_input_in_a_reply_is_rendered_inert() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    client = client_for(customer)
    hostile = (
        '<script>alert("x")</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">clic</a> {{ 7|add:7 }}'
    )
    response = client.post(
        f"/portal/requests/{ticket.pk}/reply/", {"body": hostile, "version": ticket.version}
    )
    assert response.status_code == 302
    page = client.get(f"/portal/requests/{ticket.pk}/").content.decode()
    tags = elements(page)
    scripts = [attrs for t, attrs in tags if t in ("script", "iframe")]
    # Only our own files (allowed by the policy's 'self') or blocks carrying the page's nonce.
    assert all("nonce" in a or (a.get("src") or "").startswith("/static/") for a in scripts)
    assert not [a for _t, attrs in tags for a in attrs if a.startswith("on")]
    assert not [v for _t, attrs in tags for v in attrs.values() if "javascript:" in (v or "")]
    assert "{{ 7|add:7 }}" in page  # shown as text, never run as a template
    assert "&lt;script&gt;" in page


def elements(page: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every element of ``page`` with its attributes, as a browser would parse them."""
    found: list[tuple[str, dict[str, str | None]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, dict(attrs)))

    Parser().feed(page)
    return found


def test_csrf_is_required_for_every_portal_write() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    for path in ("reply/", "solve/", "reopen/"):
        response = client.post(f"/portal/requests/{ticket.pk}/{path}", {"body": "hola"})
        assert response.status_code == 403
    assert client.post("/portal/profile/", {"name": "X"}).status_code == 403


def test_a_customer_on_allauths_pages_finds_the_way_back_to_the_portal() -> None:
    customer = make_customer()
    client = client_for(customer)
    page = client.get(reverse("signin-account")).content.decode()
    assert 'href="/portal/"' in page
    home = client.get("/")
    assert home["Location"] == "/portal/"
