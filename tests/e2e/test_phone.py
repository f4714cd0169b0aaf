"""On a phone (390x844): every touch target is at least 44x44 CSS pixels, and the ticket page
shows the conversation before the field panel, in the document and on the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.pages import WORKSPACE_PAGES, seed

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MIN_TARGET = 44  # CSS pixels: WCAG 2.5.5, Apple's and Android's guidance
SMALL_TARGETS = (Path(__file__).parent / "targets.js").read_text()
# The pages an agent works in on a phone.
MAIN_PAGES = [
    "inbox",
    "ticket",
    "ticket-new",
    "customers",
    "customer",
    "organizations",
    "search",
    "notifications",
    "account-preferences",
    "settings-home",
    "settings-agents",
]


def small_targets(page: Page) -> list[str]:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    return list(page.evaluate(SMALL_TARGETS, MIN_TARGET))


def test_touch_targets_are_at_least_44px(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    data = seed()
    problems: list[str] = []
    visitor = new_page(phone=True)
    visitor.goto(reverse("login"))
    problems += [f"login: {t}" for t in small_targets(visitor)]

    page = signed_in(new_page(phone=True), data.admin)
    for name in MAIN_PAGES:
        page.goto(WORKSPACE_PAGES[name](data))
        problems += [f"{name}: {t}" for t in small_targets(page)]
    # The menu, opened.
    page.goto(reverse("inbox"))
    page.get_by_role("button", name="Menu").tap()
    problems += [f"inbox, menu open: {t}" for t in small_targets(page)]

    assert not problems, "smaller than 44x44 px:\n" + "\n".join(problems)


def test_the_ticket_page_shows_the_conversation_before_the_fields(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    data = seed()
    page = signed_in(new_page(phone=True), data.agent)
    page.goto(reverse("ticket", args=[data.ticket_id]))
    conversation = page.locator("#timeline")
    fields = page.locator(".ticket-fields")
    expect(conversation).to_contain_text("no encuentro la factura")
    expect(fields).to_contain_text("Status")

    # In the document (what a screen reader reads and the tab order follows) ...
    assert page.evaluate(
        "([a, b]) => !!(document.querySelector(a).compareDocumentPosition("
        "document.querySelector(b)) & Node.DOCUMENT_POSITION_FOLLOWING)",
        ["#timeline", ".ticket-fields"],
    )
    # ... and on the screen.
    first, then = conversation.bounding_box(), fields.bounding_box()
    assert first is not None and then is not None
    assert first["y"] + first["height"] <= then["y"]
    # The title still comes first.
    title = page.locator("h1").bounding_box()
    assert title is not None and title["y"] < first["y"]
