"""The customer portal in Chromium, in Spanish, on a desktop and on a phone: a customer signs
in by an emailed code, finds their request, reads the conversation without the team's internal
note, and replies; the agent then sees the reply on the ticket. Screenshots of the list and the
request page at both widths are kept as artifacts; axe-core and the 44 px touch targets hold."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.tickets import services as tickets
from atiende.tickets.selectors import get_ticket, visible_messages
from tests.e2e.axe import blocking_violations, report
from tests.e2e.conftest import Server, js_errors
from tests.factories import PASSWORD, make_agent, make_customer, make_ticket, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SMALL_TARGETS = (Path(__file__).parent / "targets.js").read_text()
REPLY = "Ya probé a reiniciar y sigue igual, adjunto la captura."


def accessible(page: Page, where: str) -> None:
    """axe-core finds nothing serious, in light and then dark colours; targets are 44 px."""
    violations = blocking_violations(page)
    assert violations == [], report(where, violations)
    small = list(page.evaluate(SMALL_TARGETS, 44))
    assert small == [], f"{where}: touch targets under 44 px: {small}"
    page.emulate_media(color_scheme="dark")
    violations = blocking_violations(page, colours_only=True)
    page.emulate_media(color_scheme="light")
    assert violations == [], report(f"{where}, dark", violations)


def test_a_customer_signs_in_by_code_reads_and_replies_on_desktop_and_phone(
    new_page: Callable[..., Page], app_server: Server, screenshot: Callable[[Page, str], Path]
) -> None:
    agent = make_agent(name="Agente Luis")
    customer = make_customer(email="marta@ejemplo.test", name="Marta Núñez", locale="es")
    ticket = make_ticket(customer, subject="No puedo descargar la factura de noviembre")
    tickets.add_message(
        web(agent), ticket_id=ticket.pk, body="NOTA INTERNA: revisar su deuda", public=False
    )
    tickets.reply(
        web(agent),
        ticket_id=ticket.pk,
        body="Hola Marta, ¿puedes probar a reiniciar la sesión?",
        status="pending",
    )

    # Desktop: /portal/ asks to sign in, a code arrives by mail, and the customer comes back.
    page = new_page(locale="es")
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/portal/$"))
    page.get_by_role("link", name="Envíame un código de inicio de sesión").click()
    page.get_by_label("Correo electrónico").fill("marta@ejemplo.test")
    page.get_by_role("button", name="Solicite el código").click()
    [mail] = app_server.mails_to("marta@ejemplo.test")
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail, re.MULTILINE)
    assert code is not None, mail
    page.get_by_label("Código").fill(code.group(1))
    page.get_by_role("button", name="Confirmar").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    assert page.locator("html").get_attribute("lang") == "es"
    row = page.locator(".request-row", has_text="No puedo descargar la factura")
    expect(row).to_be_visible()
    expect(row.locator(".badge-waiting")).to_be_visible()  # pending: waiting for the customer
    accessible(page, "portal list (desktop)")
    screenshot(page, "portal-list")

    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/portal/requests/{ticket.pk}/$"))
    conversation = page.locator(".conversation")
    expect(conversation).to_contain_text("¿puedes probar a reiniciar la sesión?")
    expect(page.locator("main")).not_to_contain_text("NOTA INTERNA")
    accessible(page, "portal request (desktop)")
    screenshot(page, "portal-request")

    page.locator('textarea[name="body"]').fill(REPLY)
    page.locator("#reply-files").set_input_files(
        files=[{"name": "captura.txt", "mimeType": "text/plain", "buffer": b"error 42"}]
    )
    page.locator('form[action$="/reply/"] button[type="submit"]').click()
    expect(page.locator(".msg-customer").last).to_contain_text(REPLY)
    expect(
        page.locator(".msg-customer").last.get_by_role("link", name="captura.txt")
    ).to_be_visible()
    # The agent sees it on the ticket, and the customer's reply moved it back to work.
    as_agent = get_ticket(web(agent), ticket.pk)
    last = visible_messages(web(agent), as_agent).order_by("-id").first()
    assert last is not None
    assert (last.body_text, last.author_id, last.public) == (REPLY, customer.pk, True)
    assert [file.filename for file in last.attachments.all()] == ["captura.txt"]
    assert as_agent.status.category == "open"
    assert js_errors(page) == []

    # Phone: the same pages, readable, with 44 px targets, signed in by password this time.
    phone = new_page(locale="es", phone=True)
    phone.goto("/portal/")
    form = phone.locator('form[action="/accounts/login/"]')
    form.locator('input[name="login"]').fill("marta@ejemplo.test")
    form.locator('input[name="password"]').fill(PASSWORD)
    form.get_by_role("button", name="Iniciar sesión").click()
    expect(phone).to_have_url(re.compile(r"/portal/$"))
    expect(phone.locator(".request-row")).to_have_count(1)
    accessible(phone, "portal list (phone)")
    screenshot(phone, "portal-list")
    phone.locator(".request-row a").click()
    expect(phone.locator(".msg-customer").last).to_contain_text(REPLY)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the request page scrolls sideways on a phone ({width}px)"
    accessible(phone, "portal request (phone)")
    screenshot(phone, "portal-request")
    assert js_errors(phone) == []
