"""The inbox in a browser: select rows, run a bulk action, page on, save a view; on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.tickets.models import SavedView, Ticket
from tests.e2e.conftest import js_errors
from tests.e2e.test_workspace import horizontal_overflow
from tests.factories import make_agent, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_select_all_and_change_priority_in_bulk(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    tickets = [make_ticket(group_id=group.pk, subject=f"Slow page {i}") for i in range(3)]
    signed_in(page, agent)
    page.goto("/inbox/")

    page.get_by_label("Select all tickets on this page").check()
    expect(page.locator("[data-selected-count]")).to_have_text("(3)")
    page.locator("#bulk-priority").select_option("urgent")
    page.get_by_role("button", name="Set priority").click()

    expect(page.locator("#bulk-result")).to_contain_text("3 updated")
    screenshot(page, "inbox-bulk-result")
    keys = set(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list(
            "priority__key", flat=True
        )
    )
    assert keys == {"urgent"}
    # The list reloaded: nothing is selected any more, and the rows show the new priority.
    expect(page.locator('#inbox-rows input[name="ids"]:checked')).to_have_count(0)
    expect(page.locator("#inbox-rows")).to_contain_text("Urgent")
    assert js_errors(page) == []


def test_load_more_and_save_the_view(page: Page, signed_in: Callable[..., Page]) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    for i in range(27):
        make_ticket(group_id=group.pk, subject=f"Ticket {i}", priority="high" if i < 2 else None)
    signed_in(page, agent)
    page.goto("/inbox/")

    rows = page.locator("#inbox-rows tr[data-row]")
    expect(rows).to_have_count(25)
    page.get_by_role("link", name="Load more").click()
    expect(rows).to_have_count(27)

    page.get_by_text("Filters, columns and sort").click()
    page.get_by_role("group", name="Priority").get_by_label("High").check()
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="Save as view").click()
    page.get_by_label("Name").fill("Hot ones")
    page.get_by_role("button", name="Save view").click()

    expect(page).to_have_url(re.compile(r"view=saved-\d+"))
    expect(page.locator("#inbox-views")).to_contain_text("Hot ones")
    expect(rows).to_have_count(2)
    assert SavedView.objects.get(owner=agent).filters == {
        "status_category": ["new", "open", "pending", "on_hold"],
        "priority": ["high"],
    }
    assert js_errors(page) == []


def test_inbox_on_a_phone(
    phone_page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    group = make_group("Support")
    agent = make_agent(group)
    make_ticket(group_id=group.pk, subject="A rather long subject that has to wrap on a phone")
    signed_in(phone_page, agent)
    phone_page.goto("/inbox/")

    expect(phone_page.get_by_role("button", name="Assign")).to_be_hidden()
    phone_page.locator('#inbox-rows input[name="ids"]').first.check()
    expect(phone_page.get_by_role("button", name="Assign")).to_be_visible()
    screenshot(phone_page, "inbox-selected")
    assert horizontal_overflow(phone_page) <= 0
    assert js_errors(phone_page) == []
