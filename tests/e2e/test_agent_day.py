"""More of an agent's day: a canned reply, status and priority changed in place, search.

Completes ``test_ticket_flow.py`` (open, reply, note) and ``test_journeys.py`` (keyboard, search
box by name): the composer's canned-response picker with its placeholders filled in, the header
fields edited where they are shown (told in words in the timeline), and finding a customer by
email and a ticket by a word that only a message holds.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocket, expect

from atiende.accounts.models import User
from atiende.automation.macros.services import create_macro
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket
from tests.e2e.conftest import js_errors
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def agent_with_ticket() -> tuple[User, Ticket]:
    group = make_group("Support")
    agent = make_agent(group, name="Ana Pérez")
    customer = make_customer(name="Marta Jiménez", email="marta@example.com")
    ticket = make_ticket(
        customer,
        group_id=group.pk,
        subject="The scanner jams on every page",
        body="Since the update the scanner jams halfway through each page.",
    )
    return agent, ticket


class LiveFrames:
    """What the page's WebSocket received, to know when a live update has come and gone."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", self._listen)

    def _listen(self, socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: self.frames.append(str(payload)))

    def count(self, kind: str) -> int:
        return sum(f'"{kind}"' in frame for frame in self.frames)

    def wait_for(self, kind: str, more_than: int = 0) -> None:
        deadline = time.monotonic() + 10
        while self.count(kind) <= more_than:
            assert time.monotonic() < deadline, f"no {kind} frame on the WebSocket in 10 s"
            self.page.wait_for_timeout(50)


def test_reply_with_a_canned_response(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent, ticket = agent_with_ticket()
    create_macro(
        SYSTEM,
        name="Scanner: technician on the way",
        body=(
            "Hello {{customer.first_name}}, about ticket #{{ticket.number}}: "
            "a technician will visit you tomorrow morning."
        ),
        shared=True,
    )
    create_macro(SYSTEM, name="Thanks for waiting", body="Thank you!", shared=True)
    expected = (
        f"Hello Marta, about ticket #{ticket.number}: a technician will visit you tomorrow morning."
    )
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    composer = page.locator("#composer")

    composer.get_by_text("Canned responses", exact=True).click()
    picker = composer.locator("#canned-list")
    expect(picker.get_by_role("button")).to_have_count(2)
    expect(picker).to_contain_text("{{customer.first_name}}")  # the preview shows them as typed
    picker.get_by_role("button", name="Scanner: technician on the way").click()

    message_box = composer.get_by_label("Message", exact=True)
    expect(message_box).to_have_value(expected)
    expect(message_box).to_be_focused()
    expect(picker).to_be_hidden()  # the picker closes once the text is in
    screenshot(page, "ticket-canned-response-inserted")

    composer.get_by_role("button", name="Send", exact=True).click()

    reply = page.locator("#timeline .message-public").filter(has_text="a technician will visit")
    expect(reply).to_be_visible()
    expect(reply).to_contain_text(f"Hello Marta, about ticket #{ticket.number}:")
    expect(reply.locator(".message-author")).to_have_text("Ana Pérez")
    expect(message_box).to_have_value("")
    message = Message.objects.filter(ticket=ticket, body_text__contains="technician").get()
    assert message.body_text.strip() == expected
    assert message.public
    assert message.author == agent
    assert js_errors(page) == []


def change_in_place(page: Page, live: LiveFrames, label: str, value: str) -> None:
    """Click a header field, pick ``value``, save; then let the live refresh that follows land,
    so that it cannot swap the header over the next field's form while that one opens."""
    fields = page.locator("#ticket-fields")
    updates = live.count("ticket.updated")
    fields.get_by_role("button", name=f"Edit {label}", exact=True).click()
    choice = fields.get_by_label(label, exact=True)
    expect(choice).to_be_visible()
    choice.select_option(label=value)
    fields.get_by_role("button", name="Save", exact=True).click()
    expect(fields.locator(f"#field-{label.lower()}-value .field-value")).to_have_text(value)
    live.wait_for("ticket.updated", more_than=updates)
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_status_and_priority_changed_in_place(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent, ticket = agent_with_ticket()
    assert (ticket.status.key, ticket.priority.key) == ("new", "normal")
    signed_in(page, agent)
    live = LiveFrames(page)
    page.goto(f"/tickets/{ticket.pk}/")
    live.wait_for("welcome")
    header, fields = page.locator("#ticket-header"), page.locator("#ticket-fields")
    expect(fields.locator("#field-status-value .field-value")).to_have_text("New")
    expect(fields.locator("#field-priority-value .field-value")).to_have_text("Normal")

    change_in_place(page, live, "Status", "Pending")
    change_in_place(page, live, "Priority", "Urgent")

    expect(header.locator(".ticket-title-row .badge")).to_have_text("Pending")
    expect(fields.locator("#field-status-value .field-value")).to_have_text("Pending")
    expect(fields.locator("#field-priority-value .field-value")).to_have_text("Urgent")
    events = page.locator("#timeline .timeline-event .event-text")
    expect(events.filter(has_text="changed status")).to_have_text(
        "Ana Pérez changed status from New to Pending"
    )
    expect(events.filter(has_text="changed priority")).to_have_text(
        "Ana Pérez changed priority from Normal to Urgent"
    )
    screenshot(page, "ticket-status-priority-changed")
    ticket.refresh_from_db()
    assert (ticket.status.key, ticket.priority.key) == ("pending", "urgent")
    assert js_errors(page) == []


def test_search_by_email_and_by_a_word_of_a_message(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    group = make_group("Support")
    agent = make_agent(group, name="Ana Pérez")
    mara = make_customer(name="Mara Quintana", email="mara.quintana@example.com")
    mario = make_customer(name="Mario Quintero", email="mario@example.com")
    ticket = make_ticket(
        mara, group_id=group.pk, subject="Question about my order", body="Where is my order?"
    )
    tickets.add_message(
        web(agent),
        ticket_id=ticket.pk,
        body="The courier says he left your parcel with the concierge on Friday.",
    )
    make_ticket(
        mario, group_id=group.pk, subject="Order arrived damaged", body="The box was crushed."
    )
    signed_in(page, agent)
    page.goto("/inbox/")

    search = page.get_by_role("combobox", name="Search")
    search.click()
    search.press_sequentially("mara.quintana@example.com", delay=10)

    suggestions = page.locator("#global-search-results")
    option = suggestions.get_by_role("option", name=re.compile("Mara Quintana"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("mara.quintana@example.com")
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(suggestions.get_by_role("option", name=re.compile("Mario"))).to_have_count(0)
    screenshot(page, "search-suggests-customer-by-email")

    search.fill("concierge")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=concierge"))
    results = page.locator("main .search-results [data-row]")
    expect(results).to_have_count(1)
    expect(
        results.get_by_role("link", name=re.compile(f"#{ticket.number} Question about my order"))
    ).to_be_visible()
    expect(results.locator(".result-snippet")).to_contain_text("concierge")
    screenshot(page, "search-results-message-word")
    assert "concierge" not in ticket.subject
    assert js_errors(page) == []
