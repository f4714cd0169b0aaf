"""shortcuts.js in a real browser, and the settings pages at phone width.

The pages are rendered first by Django's test client (the database is only touched then);
Chromium then loads them from a routed fake origin that also serves the static files from disk,
so no server process is needed. The browser is started and stopped inside each test.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.factories import make_admin, make_ticket

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CHROMIUM = os.environ.get("ATIENDE_CHROMIUM", "/usr/bin/chromium")
ORIGIN = "http://atiende.test"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve(pages: dict[str, str]) -> object:
    """A route handler: the rendered pages by path, static files from disk, else a stub page."""

    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        if path in pages:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path])
            return
        if path.startswith("/static/"):
            found = finders.find(path.removeprefix("/static/"))
            if found:
                kind = mimetypes.guess_type(str(found))[0] or "application/octet-stream"
                route.fulfill(status=200, content_type=kind, body=Path(str(found)).read_bytes())
                return
            route.fulfill(status=404, body="")
            return
        # Any other page: a stub, so that following a link lands somewhere.
        route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>stub</title>"
        )

    return handle


@pytest.fixture
def browser_page(pages: dict[str, str]) -> Iterator[Page]:
    """Started after ``pages``: Playwright's event loop would stop the ORM in this thread."""
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}:
            pytest.fail(f"needs {CHROMIUM}. CI=true: the browser tests must run.", pytrace=False)
        pytest.skip(f"needs {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(10_000)
            yield page
        finally:
            browser.close()


def rendered(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def pages() -> dict[str, str]:
    """The tags page (rows with links and buttons) and the shortcuts help, as an admin sees them."""
    for name in ("alpha", "bravo", "charlie"):
        make_ticket(tags=[name])
    client = Client()
    client.force_login(make_admin())
    return {
        "/settings/tags/": rendered(client, reverse("settings-tags")),
        "/settings/": rendered(client, reverse("settings-home")),
        "/account/shortcuts/": rendered(client, reverse("account-shortcuts")),
        "/settings/agents/": rendered(client, reverse("settings-agents")),
        "/settings/categories/": rendered(client, reverse("settings-categories")),
        "/account/preferences/": rendered(client, reverse("account-preferences")),
    }


def test_rows_help_and_search_keys(browser_page: Page, pages: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.route(f"{ORIGIN}/**", serve(pages))  # type: ignore[arg-type]
    page.goto(f"{ORIGIN}/settings/tags/")
    rows = page.locator("[data-row]")
    expect(rows).to_have_count(3)

    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("row-current")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    expect(rows.nth(2)).to_have_class("row-current")
    expect(rows.nth(0)).not_to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_class("row-current")

    # "/" focuses the search box; letters typed there are text, not shortcuts.
    page.keyboard.press("/")
    search = page.locator("#global-search")
    expect(search).to_be_focused()
    page.keyboard.type("jk?")
    expect(search).to_have_value("jk?")
    expect(page.locator("dialog#shortcuts-help")).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(search).not_to_be_focused()

    # "?" opens the translated help as a modal dialog; Escape closes it.
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts-help")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    expect(dialog.locator("[data-shortcuts-close]")).to_be_focused()
    page.keyboard.press("j")  # inert while the help is open
    expect(rows.nth(1)).to_have_class("row-current")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The account menu's button opens the same overlay.
    page.locator(".account-menu > summary").click()
    page.locator("[data-shortcuts-help]").click()
    expect(dialog).to_be_visible()
    expect(page.locator("dialog#shortcuts-help")).to_have_count(1)
    dialog.locator("[data-shortcuts-close]").click()
    expect(dialog).to_be_hidden()


def test_enter_opens_the_current_row_and_marked_keys_click(
    browser_page: Page, pages: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.route(f"{ORIGIN}/**", serve(pages))  # type: ignore[arg-type]
    page.goto(f"{ORIGIN}/settings/agents/")

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{ORIGIN}/settings/agents/{get_first_agent_id(pages)}/")

    page.goto(f"{ORIGIN}/settings/agents/")
    page.keyboard.press("c")  # the "New agent" link is marked data-shortcut="c"
    expect(page).to_have_url(f"{ORIGIN}/settings/agents/new/")


def get_first_agent_id(pages: dict[str, str]) -> str:
    html = pages["/settings/agents/"]
    start = html.index("<tr data-row>")
    href = html.index('href="/settings/agents/', start) + len('href="/settings/agents/')
    return html[href : html.index("/", href)]


PHONE_PATHS = [
    "/settings/",
    "/settings/tags/",
    "/settings/agents/",
    "/settings/categories/",
    "/account/preferences/",
]


def test_pages_fit_a_phone(browser_page: Page, pages: dict[str, str]) -> None:
    page = browser_page
    page.set_viewport_size({"width": 380, "height": 800})
    page.route(f"{ORIGIN}/**", serve(pages))  # type: ignore[arg-type]
    shots = os.environ.get("ATIENDE_SHOTS")
    for path in PHONE_PATHS:
        page.goto(f"{ORIGIN}{path}")
        width, inner = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert int(width) <= int(inner), f"{path} scrolls sideways: {width} > {inner}"
        assert page.locator("h1").first.is_visible()
        if shots:
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=f"{shots}/{name}.png", full_page=True)
