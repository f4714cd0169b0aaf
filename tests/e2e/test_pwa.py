"""The installable app: manifest, service worker, and the offline page when the network is gone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_agent

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_manifest_names_the_app_and_its_icons(page: Page) -> None:
    answer = page.request.get("/manifest.webmanifest")

    assert answer.ok
    manifest = answer.json()
    assert manifest["name"]
    assert manifest["start_url"]
    assert manifest["icons"]
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).ok, icon["src"]


def test_offline_page_when_the_network_is_gone(
    phone_page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    page = signed_in(phone_page, make_agent())
    page.goto("/inbox/")
    # The service worker installs (pre-caching the offline page) and takes control.
    assert page.evaluate(
        "async () => { const r = await navigator.serviceWorker.ready; return !!r.active; }"
    )

    page.context.set_offline(True)
    page.goto("/inbox/")

    expect(page.locator("body[data-offline]")).to_be_attached()
    screenshot(page, "offline")

    page.context.set_offline(False)

    inbox = page.locator("#inbox-rows")
    try:  # pwa.js reloads on "online" ...
        expect(inbox).to_be_attached(timeout=3_000)
    except AssertionError:  # ... which headless chromium fires for emulated networks only at times
        page.reload()
        expect(inbox).to_be_attached()
