"""Every main screen opens without errors, fits a phone, and leaves a screenshot to look at.

Screenshots: artifacts/screenshots/<lang>-<screen>-<desktop|phone>.png (see docs/dev/testing.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import js_errors, kind_of
from tests.e2e.test_workspace import horizontal_overflow
from tests.factories import make_admin, make_customer, make_org, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def main_screens() -> list[tuple[str, str]]:
    """(name, path) of the screens an agent lives in, with data behind them."""
    org = make_org("Acme Logistics", domains=("acme.example",))
    customer = make_customer(name="Lucía Fernández", email="lucia@acme.example")  # joins Acme
    ticket = make_ticket(
        customer,
        subject="The invoice for March is missing",
        body="Hello, I cannot find the invoice for March in the portal. Can you send it?",
    )
    make_ticket(customer, subject="Password reset link expired")
    return [
        ("inbox", reverse("inbox")),
        ("ticket", reverse("ticket", args=[ticket.pk])),
        ("new-ticket", reverse("ticket-new")),
        ("customers", reverse("customers")),
        ("customer", reverse("customer", args=[customer.pk])),
        ("organizations", reverse("organizations")),
        ("organization", reverse("organization", args=[org.pk])),
        ("search", reverse("search") + "?q=invoice"),
        ("settings", reverse("settings-home")),
        ("settings-agents", reverse("settings-agents")),
        ("preferences", reverse("account-preferences")),
        ("notifications", reverse("notifications")),
    ]


@pytest.mark.parametrize(
    ("lang", "phone"),
    [("en", False), ("en", True), ("es", False), ("es", True)],
    ids=["en-desktop", "en-phone", "es-desktop", "es-phone"],
)
def test_main_screens(
    lang: str,
    phone: bool,
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    screens = main_screens()
    page = signed_in(new_page(phone=phone), make_admin(name="Admin Ana", locale=lang))
    problems = []

    for name, path in screens:
        response = page.goto(path)
        assert response is not None
        if not response.ok:
            problems.append(f"{name}: {path} answered {response.status}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        if kind_of(page) == "phone" and (overflow := horizontal_overflow(page)):
            problems.append(f"{name}: {overflow}px wider than the phone")
        screenshot(page, name)

    assert problems == []
    assert js_errors(page) == []
