"""An administrator sets up a mailbox in the browser and tests its SMTP connection (a real
aiosmtpd on loopback), then checks the page on a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.messaging.models import Mailbox
from tests.e2e.conftest import js_errors
from tests.factories import make_admin, make_group
from tests.messaging.test_connection_test import PASSWORD, USER, authenticator, smtp_server

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def smtp_port() -> Iterator[int]:
    yield from smtp_server(authenticator=authenticator, auth_require_tls=False)


def horizontal_overflow(page: Page) -> int:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return max(0, int(width) - int(inner))


def test_admin_creates_a_mailbox_and_tests_its_connection(
    page: Page,
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
    smtp_port: int,
) -> None:
    make_group("Soporte")
    page = signed_in(page, make_admin())
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Mailboxes"
    ).click()
    page.get_by_role("link", name="New mailbox").click()

    page.get_by_label("Address").fill("not an address")
    page.get_by_label("Raw MIME upload or import only").check()
    page.get_by_role("button", name="Create mailbox").click()
    expect(page.locator(".field-error").first).to_contain_text("Enter a valid email address.")

    page.get_by_label("Address").fill("soporte@example.com")
    page.get_by_label("Display name").fill("Soporte Acme")
    page.get_by_label("Group").select_option(label="Soporte")
    page.get_by_label("SMTP host").fill("127.0.0.1")
    page.get_by_label("SMTP port").fill(str(smtp_port))
    page.get_by_label("SMTP security").select_option("none")
    page.get_by_label("SMTP user").fill(USER)
    page.get_by_label("SMTP password").fill("wrong password")
    page.get_by_role("button", name="Create mailbox").click()
    expect(page.locator(".flash")).to_contain_text("Mailbox created.")
    assert Mailbox.objects.get().smtp_password == "wrong password"

    page.get_by_role("button", name="Test connection").click()
    report = page.locator("#connection-report")
    expect(report).to_contain_text("rejected the user name or password")
    expect(report.locator('[data-step="smtp.login"]')).to_have_class("step-failed")
    screenshot(page, "mailbox-test-failed")

    page.get_by_label("SMTP password").fill(PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Mailbox saved.")
    page.get_by_role("button", name="Test connection").click()
    expect(report).to_contain_text("Everything works.")
    expect(page.get_by_label("SMTP password")).to_have_value("")  # never sent back
    assert js_errors(page) == []


def test_mailbox_page_fits_a_phone(
    phone_page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    mailbox = Mailbox.objects.create(address="soporte@example.com", inbound_method="upload")
    page = signed_in(phone_page, make_admin())
    for path in (
        f"/settings/mailboxes/{mailbox.pk}/",
        "/settings/email-templates/received/es/",
        "/settings/quarantine/",
    ):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert horizontal_overflow(page) == 0, path
    screenshot(page, "quarantine")
    assert js_errors(page) == []
