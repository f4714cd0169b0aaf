"""In a browser: one customer's conversations from email, WhatsApp and chat on one page, and the
WhatsApp-only record of the same person merged into it from there (desktop and phone).

Screenshots: artifacts/screenshots/<lang>-omnichannel-*-<desktop|phone>.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from atiende.accounts.models import User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.tickets.models import Ticket
from tests.e2e.conftest import js_errors
from tests.e2e.test_phone import small_targets
from tests.e2e.test_workspace import horizontal_overflow
from tests.factories import SYSTEM, make_admin, make_customer, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WA_ID = "5491155550000"


def one_person_two_records() -> tuple[User, User]:
    """Begoña by email (an email and a chat conversation) and by WhatsApp number only."""
    by_email = make_customer(name="Begoña Núñez", email="begona@cliente.test")
    make_ticket(by_email, subject="Mi pedido no llegó", channel="email")
    make_ticket(by_email, subject="¿Me ayudan con el pedido?", channel="chat")
    by_number = find_or_create_customer_by_identity(
        SYSTEM, channel="whatsapp", address=WA_ID, name="Bego"
    )
    make_ticket(by_number, subject="Hola, sigo esperando", channel="whatsapp")
    return by_email, by_number


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_merge_the_whatsapp_record_and_see_every_conversation(
    phone: bool,
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    by_email, by_number = one_person_two_records()
    page = signed_in(new_page(phone=phone), make_admin(name="Admin Ana"))
    problems: list[str] = []

    page.goto(reverse("customer", args=[by_email.pk]))
    conversations = page.locator("#cx-conversations")
    expect(conversations.locator(".channel-badge")).to_have_count(2)
    page.get_by_role("link", name="This is the same person as…").click()

    page.get_by_label("Find the duplicate").fill("+54 9 11 5555-0000")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Bego", exact=True).click()
    expect(page.get_by_role("heading", name="Confirm the merge")).to_be_visible()
    expect(page.get_by_text(f"WhatsApp: +{WA_ID}")).to_be_visible()
    problems += [f"confirm: {t}" for t in small_targets(page)] if phone else []
    screenshot(page, "omnichannel-merge-confirm")
    page.get_by_role("button", name="Merge").click()

    expect(page.get_by_text("The customers were merged.")).to_be_visible()
    badges = page.locator("#cx-conversations .channel-badge")
    expect(badges).to_have_count(3)
    expect(badges.filter(has_text="WhatsApp")).to_have_count(1)
    expect(badges.filter(has_text="Live chat")).to_have_count(1)
    expect(badges.filter(has_text="Email")).to_have_count(1)
    expect(page.locator(f'#cx-identities a[href="tel:+{WA_ID}"]')).to_be_visible()
    expect(page.locator('#cx-identities a[href="mailto:begona@cliente.test"]')).to_be_visible()
    if phone:
        problems += [f"customer: {t}" for t in small_targets(page)]
        if overflow := horizontal_overflow(page):
            problems.append(f"customer: {overflow}px wider than the phone")
    screenshot(page, "omnichannel-customer")

    assert problems == []
    assert js_errors(page) == []
    assert Ticket.objects.filter(requester=by_email).count() == 3
    assert User.objects.get(pk=by_number.pk).merged_into_id == by_email.pk
