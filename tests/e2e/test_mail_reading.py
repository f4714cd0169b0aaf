"""Reading an emailed ticket in the browser: a remote image (a tracking pixel) is not fetched
when the agent opens the ticket, only after "Show images"; quoted history is one click away."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, expect

from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from atiende.messaging.models import Mailbox
from tests.e2e.conftest import js_errors
from tests.factories import make_agent, make_group

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TRACKER = "tracker.example.org"
GIF = base64.b64decode("R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==")
RAW = (
    b"From: Luis <luis@example.net>\r\n"
    b"To: soporte@example.com\r\n"
    b"Subject: Factura de marzo\r\n"
    b"Message-ID: <pixel-e2e@example.net>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>La factura de marzo no ha llegado.</p>"
    b'<img src="https://' + TRACKER.encode() + b'/open.gif?u=7" alt="logo" width="1">'
    b'<div class="gmail_quote">El lun, Ana escribi\xc3\xb3:'
    b"<blockquote>Le enviamos la factura ayer.</blockquote></div>"
)


def test_remote_images_wait_until_the_agent_asks(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, name="Ana Pérez")
    mailbox = Mailbox.objects.create(
        address="soporte@example.com", inbound_method="upload", group=group
    )
    row, _created = store_raw(RAW, mailbox=mailbox, source="upload")
    message = process(row.pk).ticket_message
    assert message is not None
    fetched: list[str] = []

    def tracker(route: Route) -> None:  # the outside world: answered here, never reached
        fetched.append(route.request.url)
        route.fulfill(status=200, content_type="image/gif", body=GIF)

    page.route(f"**://{TRACKER}/**", tracker)
    signed_in(page, agent)
    page.goto(f"/tickets/{message.ticket_id}/")
    shown = page.locator(f"#message-{message.pk}")
    expect(shown).to_contain_text("La factura de marzo no ha llegado.")
    expect(shown).not_to_contain_text("Le enviamos la factura ayer.")
    page.wait_for_load_state("networkidle")
    assert fetched == []

    shown.get_by_role("button", name="Show images").click()
    # A sandboxed frame of its own: only its policy lets remote images in.
    framed = page.frame_locator(f"#message-{message.pk} iframe.message-frame")
    expect(framed.locator("img[alt=logo]")).to_have_attribute(
        "src", f"https://{TRACKER}/open.gif?u=7"
    )
    expect(framed.locator("img[alt=logo]")).to_have_js_property("naturalWidth", 1)  # loaded
    assert fetched == [f"https://{TRACKER}/open.gif?u=7"]

    page.locator(f"#message-{message.pk}").get_by_role("button", name="Show quoted text").click()
    # Images stay shown with the quoted history: the frame's document now holds both.
    quoted = page.frame_locator(f"#message-{message.pk} iframe.message-frame")
    expect(quoted.locator("body")).to_contain_text("Le enviamos la factura ayer.")
    assert js_errors(page) == []
