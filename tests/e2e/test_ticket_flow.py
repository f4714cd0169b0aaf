"""An agent's day: open the inbox, open a ticket, reply, add an internal note."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.accounts.models import User
from atiende.tickets.models import Message, Ticket
from tests.e2e.conftest import js_errors
from tests.e2e.test_workspace import horizontal_overflow
from tests.factories import make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def agent_with_ticket(**agent_fields: object) -> tuple[User, Ticket]:
    group = make_group("Support")
    agent = make_agent(group, name="Ana Pérez", **agent_fields)
    customer = make_customer(name="Luis Gómez", email="luis@example.com")
    ticket = make_ticket(
        customer,
        group_id=group.pk,
        subject="The printer prints only blank pages",
        body="Since Monday every page comes out blank.",
    )
    return agent, ticket


def send(page: Page, text: str, *, note: bool = False) -> None:
    composer = page.locator("#composer")
    kind = "Internal note" if note else "Public reply"
    composer.get_by_label(kind).check()
    composer.get_by_label("Message", exact=True).fill(text)
    composer.get_by_role("button", name="Send", exact=True).click()


def test_inbox_lists_tickets_and_opens_one(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent, ticket = agent_with_ticket()
    make_ticket(subject="Someone else's problem")  # no group: another team's ticket

    signed_in(page, agent)
    page.goto("/inbox/")
    rows = page.locator("#inbox-rows")
    expect(rows.get_by_role("link", name="The printer prints only blank pages")).to_be_visible()
    screenshot(page, "inbox-with-tickets")

    rows.get_by_role("link", name="The printer prints only blank pages").click()

    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.locator("main")).to_have_attribute("data-ticket-id", str(ticket.pk))
    expect(page.get_by_text("Since Monday every page comes out blank.")).to_be_visible()
    assert js_errors(page) == []


def test_agent_replies_to_a_ticket(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent, ticket = agent_with_ticket()
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")

    send(page, "Hello Luis, please try the printer's cleaning cycle.")

    reply = page.locator("#timeline .message-public").filter(has_text="cleaning cycle")
    expect(reply).to_be_visible()
    expect(reply.locator(".message-author")).to_have_text("Ana Pérez")
    expect(page.locator("#composer").get_by_label("Message", exact=True)).to_have_value("")
    screenshot(page, "ticket-after-reply")
    message = Message.objects.filter(ticket=ticket, body_text__contains="cleaning cycle").get()
    assert message.public
    assert message.author == agent
    assert js_errors(page) == []


def test_agent_adds_an_internal_note(page: Page, signed_in: Callable[..., Page]) -> None:
    agent, ticket = agent_with_ticket()
    signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")

    send(page, "The customer's printer is out of warranty.", note=True)

    note = page.locator("#timeline .message-note").filter(has_text="out of warranty")
    expect(note).to_be_visible()
    expect(note.locator(".note-label")).to_contain_text("Internal note")
    message = Message.objects.filter(ticket=ticket, body_text__contains="out of warranty").get()
    assert not message.public
    assert js_errors(page) == []


def test_reply_on_a_phone(
    phone_page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent, ticket = agent_with_ticket()
    page = signed_in(phone_page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    assert horizontal_overflow(page) == 0

    composer = page.locator("#composer")
    composer.get_by_label("Message", exact=True).fill("Hello Luis, it is fixed now.")
    composer.get_by_role("button", name="Send", exact=True).tap()

    reply = page.locator("#timeline .message-public").filter(has_text="it is fixed now")
    expect(reply).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "ticket-after-reply")
