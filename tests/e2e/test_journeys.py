"""Journeys across areas, the way an agent moves: keyboard, search box, preferences."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from atiende.accounts.models import User
from tests.e2e.conftest import js_errors
from tests.factories import make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_keyboard_only_from_inbox_to_a_note(page: Page, signed_in: Callable[..., Page]) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    ticket = make_ticket(make_customer(), group_id=group.pk, subject="Keyboard person")
    signed_in(page, agent)
    page.goto("/inbox/")
    expect(page.locator("#inbox-rows [data-row]")).to_have_count(1)

    page.keyboard.press("j")
    expect(page.locator("#inbox-rows [data-row]").first).to_have_attribute("aria-current", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))

    page.keyboard.press("n")
    expect(page.locator("#composer").get_by_label("Internal note")).to_be_checked()
    page.keyboard.press("Escape")  # choosing the kind puts the cursor in the message box
    page.keyboard.press("r")
    expect(page.locator("#composer").get_by_label("Public reply")).to_be_checked()

    page.keyboard.press("Escape")
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    assert js_errors(page) == []


def test_search_box_suggests_and_opens_a_customer(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    customer = make_customer(name="Rosalind Franklin", email="rosalind@example.com")
    make_ticket(customer, group_id=group.pk, subject="X-ray images are blurry")
    signed_in(page, agent)
    page.goto("/inbox/")

    page.keyboard.press("/")
    search = page.get_by_role("combobox", name="Search")
    expect(search).to_be_focused()
    search.press_sequentially("Rosalind", delay=20)

    option = page.get_by_role("option", name=re.compile("Rosalind Franklin"))
    expect(option).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    option.click()

    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_role("cell", name="X-ray images are blurry")).to_be_visible()
    assert js_errors(page) == []


def test_search_results_page_finds_a_ticket_by_its_words(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    make_ticket(
        make_customer(), group_id=group.pk, subject="Router reboots", body="The router reboots."
    )
    signed_in(page, agent)
    page.goto("/inbox/")

    search = page.get_by_role("combobox", name="Search")
    search.fill("router")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=router"))
    expect(
        page.locator("main").get_by_role("link", name=re.compile("Router reboots"))
    ).to_be_visible()


def test_agent_switches_the_workspace_to_spanish(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    agent = make_agent(locale="en")
    signed_in(page, agent)
    page.goto("/account/preferences/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_label("Language").select_option("es")
    page.locator("main form").get_by_role("button").last.click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert User.objects.get(pk=agent.pk).locale == "es"
    page.goto("/inbox/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
