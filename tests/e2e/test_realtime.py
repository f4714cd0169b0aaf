"""Live updates over the real server's WebSocket: no page refresh needed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, WebSocket, expect

from atiende.accounts.models import User
from atiende.accounts.services import create_api_token
from tests.e2e.conftest import Server, js_errors
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_live(page: Page, path: str) -> None:
    """Open ``path`` and wait until its WebSocket has been welcomed by the server."""
    frames: list[str] = []

    def listen(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", listen)
    page.goto(path)
    deadline = time.monotonic() + 10
    while not any('"welcome"' in frame for frame in frames):
        assert time.monotonic() < deadline, "the page's WebSocket was not welcomed in 10 s"
        page.wait_for_timeout(50)
    page.remove_listener("websocket", listen)


def api(server: Server, user: User, method: str, path: str, **json: object) -> httpx.Response:
    token = create_api_token(SYSTEM, user=user, name="e2e")[1]
    return httpx.request(
        method,
        f"{server.url}/api/v1{path}",
        headers={"Authorization": f"Bearer {token}"},
        json=json,
        timeout=10,
    )


def test_ticket_created_through_the_api_appears_in_the_open_inbox(
    page: Page,
    signed_in: Callable[..., Page],
    app_server: Server,
    screenshot: Callable[[Page, str], Path],
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    signed_in(page, agent)
    open_live(page, "/inbox/")
    rows = page.locator("#inbox-rows")
    expect(rows).not_to_contain_text("Live: the printer is on fire")

    answer = api(
        app_server,
        agent,
        "POST",
        "/tickets",
        subject="Live: the printer is on fire",
        body="Smoke everywhere.",
        requester={"email": "live@example.com", "name": "Live Customer"},
        group_id=group.pk,
    )

    assert answer.status_code == 201, answer.text
    announcement = page.locator("#new-tickets").get_by_role("link", name=re.compile("1 new ticket"))
    expect(announcement).to_be_visible()
    screenshot(page, "inbox-new-ticket-arrived")
    announcement.click()
    expect(rows.get_by_role("link", name="Live: the printer is on fire")).to_be_visible()
    assert js_errors(page) == []


def test_reply_from_elsewhere_appears_on_an_open_ticket(
    page: Page, signed_in: Callable[..., Page], app_server: Server
) -> None:
    group = make_group("Support")
    agent, colleague = make_agent(group), make_agent(group, name="Bea Ruiz")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Live timeline")
    signed_in(page, agent)
    open_live(page, f"/tickets/{ticket.pk}/")

    answer = api(
        app_server,
        colleague,
        "POST",
        f"/tickets/{ticket.pk}/messages",
        body="Bea here: I called the customer, all good now.",
    )

    assert answer.status_code == 201, answer.text
    reply = page.locator("#timeline .message").filter(has_text="I called the customer")
    expect(reply).to_be_visible()
    expect(reply.locator(".message-author")).to_have_text("Bea Ruiz")
    assert js_errors(page) == []


def test_two_agents_see_each_other_on_a_ticket(
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    group = make_group("Support")
    ana, bea = make_agent(group, name="Ana Pérez"), make_agent(group, name="Bea Ruiz")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Who else is here?")
    first, second = signed_in(new_page(), ana), signed_in(new_page(phone=True), bea)

    open_live(first, f"/tickets/{ticket.pk}/")
    open_live(second, f"/tickets/{ticket.pk}/")

    expect(first.locator("[data-presence]")).to_contain_text("Bea Ruiz is viewing")
    expect(second.locator("[data-presence]")).to_contain_text("Ana Pérez is viewing")

    second.locator("#composer textarea").fill("Let me answer this one…")

    expect(first.locator("[data-presence]")).to_contain_text("Bea Ruiz is typing")
    screenshot(first, "ticket-presence")


def test_mention_in_a_note_rings_the_colleagues_bell(
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    group = make_group("Support")
    ana, bea = make_agent(group, name="Ana Pérez"), make_agent(group, name="Bea Ruiz")
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Needs a second pair of eyes")
    writer, reader = signed_in(new_page(), ana), signed_in(new_page(phone=True), bea)
    open_live(reader, "/inbox/")
    expect(reader.locator("[data-bell-count-wrap]")).to_be_hidden()

    writer.goto(f"/tickets/{ticket.pk}/")
    composer = writer.locator("#composer")
    composer.get_by_label("Internal note").check()
    box = composer.get_by_label("Message", exact=True)
    box.click()
    box.press_sequentially("Could you look at this, @Be", delay=20)
    composer.get_by_role("button", name=re.compile("Bea Ruiz")).click()
    expect(composer.locator("#composer-mentions")).to_contain_text("@Bea Ruiz")
    composer.get_by_role("button", name="Send", exact=True).click()
    expect(writer.locator("#timeline .message-note")).to_contain_text("Could you look at this")

    expect(reader.locator("[data-bell-count]")).to_have_text("1")
    expect(reader.locator("[data-bell-count-wrap]")).to_be_visible()
    reader.locator("[data-bell-toggle]").tap()
    item = reader.locator("#bell-panel [data-notification]").first
    expect(item).to_contain_text("Needs a second pair of eyes")
    screenshot(reader, "bell-mention")
    item.get_by_role("link").tap()
    expect(reader).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    assert js_errors(writer) == []
    assert js_errors(reader) == []
