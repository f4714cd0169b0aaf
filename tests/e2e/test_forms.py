"""A visitor fills the public web form embedded in another site (Spanish, desktop and phone):
the conditional fields appear as options are chosen, the request is sent, the frame follows
the form's height, and the acknowledgement arrives by mail with its link."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from atiende.intake import services
from atiende.tickets.models import Ticket
from tests.e2e.axe import blocking_violations, report
from tests.e2e.conftest import Server, js_errors
from tests.factories import SYSTEM
from tests.intake.helpers import printer_fields, spec, specs

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HOST_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Tienda</title></head>
<body><h1>Tienda de ejemplo</h1><p>¿Necesita ayuda? Escríbanos:</p>
<script src="{server}/static/forms/embed.js" data-form="impresoras" async></script>
</body></html>"""


@pytest.fixture
def shop(app_server: Server) -> Iterator[str]:
    """Another site (its own origin on this machine) whose page embeds the form: a real HTTP
    server, as Chromium lets no routed or public page load from a loopback server."""
    page = HOST_PAGE.format(server=app_server.url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def mail_to(server: Server, address: str) -> str:
    """The one mail the server wrote to ``address`` (the acknowledgement leaves on commit;
    polled briefly in case the file is still being written)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = server.mails_to(address)
        if mails:
            assert len(mails) == 1, mails
            return mails[0]
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_visitor_fills_the_embedded_form_in_spanish(
    new_page: Callable[..., Page],
    app_server: Server,
    shop: str,
    screenshot: Callable[[Page, str], Path],
    phone: bool,
) -> None:
    printer_fields()
    services.create_form(
        SYSTEM,
        slug="impresoras",
        name_en="Printers",
        name_es="Impresoras",
        audience="public",
        min_fill_seconds=0,  # the stamp is still checked; the time check has its own tests
        fields=specs(
            spec("name", label_es="Su nombre"),
            spec("email", required=True, label_es="Su correo"),
            spec("subject", required=True, label_es="Asunto"),
            spec("description", required=True, label_es="Cuéntenos qué ocurre"),
            spec("custom_fields.product", required=True),
            spec("custom_fields.issue", required=True, when=("custom_fields.product", ["printer"])),
            spec("custom_fields.tray", required=True, when=("custom_fields.issue", ["jam"])),
        ),
    )
    page = new_page(locale="es-ES", phone=phone)

    page.goto(shop)
    frame_element = page.locator("iframe[data-atiende-form]")
    expect(frame_element).to_be_visible()
    form = page.frame_locator("iframe[data-atiende-form]")
    expect(form.get_by_role("heading", name="Impresoras")).to_be_visible()

    issue, tray = form.get_by_label("Problema"), form.get_by_label("Bandeja")
    expect(issue).to_be_hidden()
    expect(tray).to_be_hidden()
    address = f"visitante-{'movil' if phone else 'pc'}@cliente.test"
    form.get_by_label("Su nombre").fill("Lucía Pérez")
    form.get_by_label("Su correo").fill(address)
    form.get_by_label("Asunto").fill("La impresora se atasca")
    form.get_by_label("Cuéntenos qué ocurre").fill("Cada dos páginas se atasca el papel.")
    form.get_by_label("Producto").select_option("printer")
    expect(issue).to_be_visible()  # the conditional field appears without a reload
    issue.select_option("jam")
    expect(tray).to_be_visible()  # and the one nested under it
    tray.fill("2")
    screenshot(page, "forms-embedded-filled")
    # The frame grew to the form's height (posted from the frame, origin-checked).
    height = frame_element.evaluate("el => el.getBoundingClientRect().height")
    assert height > 600  # taller than the frame's first 400 px: the form's own height

    form.get_by_role("button").last.click()
    expect(form.get_by_role("status")).to_contain_text("#")
    ticket = Ticket.objects.get(requester__email=address)
    expect(form.get_by_role("status")).to_contain_text(f"#{ticket.number}")
    assert ticket.custom_fields == {"product": "printer", "issue": "jam", "tray": 2}
    screenshot(page, "forms-embedded-sent")

    mail = mail_to(app_server, address)
    assert f"Hemos recibido su solicitud y abierto el ticket #{ticket.number}" in mail
    link = re.search(r"http://\S+/forms/status/\S+/", mail)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading")).to_contain_text(f"#{ticket.number}")
    assert js_errors(page) == []
    violations = blocking_violations(page)
    assert violations == [], report("the follow-up page", violations)
    page.goto(link.group(0).split("/forms/status/")[0] + "/forms/impresoras/")
    violations = blocking_violations(page)
    assert violations == [], report("the public form", violations)
