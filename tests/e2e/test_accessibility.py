"""axe-core finds no serious or critical violation on any page, light and dark, desktop and phone.

The pages are every named URL of ``atiende.web.urls`` (``tests/e2e/pages.py``): a new URL fails
``test_every_workspace_url_is_checked_or_excluded`` until it is listed as a page or excluded
with its reason. One server, one browser and one set of data per viewport. Each page is checked
with every rule in the colour scheme of the browser context, then again in the other scheme
with the rules that depend on colour (the rest cannot change with it); the desktop starts light
and the phone dark, so every rule runs in both schemes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.axe import blocking_violations, report
from tests.e2e.conftest import kind_of
from tests.e2e.pages import (
    ERROR_PAGES,
    PUBLIC_PAGES,
    WORKSPACE_PAGES,
    seed,
    stale_entries,
    uncovered_url_names,
)

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OTHER = {"light": "dark", "dark": "light"}


def settled(page: Page) -> None:
    """Wait until htmx has loaded and swapped what the page asks for on load."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def audit(page: Page, where: str, scheme: str) -> list[str]:
    """Every rule in ``scheme``, then the colour rules in the other scheme."""
    problems = []
    if found := blocking_violations(page):
        problems.append(report(f"{where} [{scheme}]", found))
    page.emulate_media(color_scheme=OTHER[scheme])  # type: ignore[arg-type]
    if found := blocking_violations(page, colours_only=True):
        problems.append(report(f"{where} [{OTHER[scheme]}]", found))
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    return problems


def check(page: Page, scheme: str, name: str, path: str, *, status: int = 200) -> list[str]:
    """Open ``path`` and return what is wrong with it, readably."""
    response = page.goto(path)
    assert response is not None
    problems = []
    if response.status != status:
        problems.append(f"{name}: {path} answered {response.status}, not {status}")
    settled(page)
    return problems + audit(page, f"{name} ({path})", scheme)


def opened_parts(page: Page, scheme: str, *, ticket_path: str) -> list[str]:
    """What only shows when opened: a field's form, the account menu, the notifications panel,
    and on a phone the navigation."""
    problems = []
    page.goto(ticket_path)
    settled(page)
    page.locator("#ticket-fields").get_by_role("button", name="Edit Status").click()
    expect(page.locator("#ticket-fields [data-field-form]")).to_be_visible()
    problems += audit(page, "ticket, a field's form open", scheme)
    page.locator(".account-menu > summary").click()
    expect(page.locator(".account-menu .menu-panel")).to_be_visible()
    problems += audit(page, "account menu open", scheme)
    page.keyboard.press("Escape")
    page.locator("[data-bell-toggle]").click()
    expect(page.locator("#bell-panel [data-notification]").first).to_be_visible()
    problems += audit(page, "notifications panel open", scheme)
    if kind_of(page) == "phone":
        page.goto(reverse("inbox"))
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#sidebar")).to_be_visible()
        problems += audit(page, "navigation open", scheme)
    return problems


def test_every_workspace_url_is_checked_or_excluded() -> None:
    assert uncovered_url_names() == [], (
        "add these URL names to tests/e2e/pages.py: as a page to check, or to NOT_PAGES "
        "with the reason"
    )
    assert stale_entries() == []


@pytest.mark.parametrize(
    ("phone", "scheme"),
    [(False, "light"), (True, "dark")],
    ids=["desktop-light-then-dark", "phone-dark-then-light"],
)
@pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"],
    reason="the pages' markup does not depend on the database: checked once, on SQLite "
    "(three minutes of the CI's thirty)",
)
def test_no_serious_or_critical_violations(
    phone: bool, scheme: str, new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    data = seed()
    problems: list[str] = []

    visitor = new_page(phone=phone, color_scheme=scheme)
    for name, path in PUBLIC_PAGES.items():
        problems += check(visitor, scheme, name, path(data))
    problems += check(
        visitor, scheme, "reset link", ERROR_PAGES["password reset link that no longer works"]
    )

    admin = signed_in(new_page(phone=phone, color_scheme=scheme), data.admin)
    for name, path in WORKSPACE_PAGES.items():
        problems += check(admin, scheme, name, path(data))
    problems += check(admin, scheme, "404", ERROR_PAGES["404 (signed in)"], status=404)
    # The keyboard shortcuts dialog, open over the inbox.
    admin.goto(reverse("inbox"))
    settled(admin)
    admin.keyboard.press("?")
    expect(admin.locator("#shortcuts-help")).to_be_visible()
    problems += audit(admin, "shortcuts dialog", scheme)
    problems += opened_parts(admin, scheme, ticket_path=WORKSPACE_PAGES["ticket"](data))

    agent = signed_in(new_page(phone=phone, color_scheme=scheme), data.agent)
    problems += check(agent, scheme, "403", reverse("settings-home"), status=403)

    assert not problems, "\n\n".join(problems)
