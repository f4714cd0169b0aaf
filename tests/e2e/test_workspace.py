"""The workspace frame on a phone and on a desktop: the drawer, no sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import js_errors
from tests.factories import make_admin

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return max(0, int(width) - int(inner))


def test_phone_menu_opens_the_sidebar_drawer(
    phone_page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(phone_page, make_admin())
    toggle = page.locator("[data-nav-toggle]")
    sidebar = page.locator("#sidebar")

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(sidebar).to_be_hidden()
    assert horizontal_overflow(page) == 0

    toggle.tap()

    expect(sidebar).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sidebar.get_by_role("link", name="Inbox")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "menu-open")

    toggle.tap()

    expect(sidebar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert js_errors(page) == []


def test_phone_drawer_link_navigates(phone_page: Page, signed_in: Callable[..., Page]) -> None:
    page = signed_in(phone_page, make_admin())

    page.locator("[data-nav-toggle]").tap()
    page.locator("#sidebar").get_by_role("link", name="Customers").tap()

    expect(page).to_have_url(re.compile(r"/customers/$"))
    assert horizontal_overflow(page) == 0


def test_desktop_shows_the_sidebar_without_a_toggle(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    signed_in(page, make_admin())

    expect(page.locator("#sidebar")).to_be_visible()
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    assert horizontal_overflow(page) == 0
