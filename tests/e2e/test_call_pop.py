"""A ringing call pops the caller on the agent's screen, in a real browser: the PBX posts to
the webhook of the running server, the agent's open workspace shows who is calling with their
open tickets, and the card follows the call as it is answered."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from atiende.accounts.services import add_identity
from atiende.messaging.channels import services as channels
from atiende.messaging.models import ChannelAccount
from tests.e2e.conftest import Server, js_errors
from tests.e2e.test_realtime import open_live
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKEN = "pbx-token-" + "x" * 24
CALLER = "+34600111222"


def pbx_event(server: Server, account: ChannelAccount, event: str) -> None:
    """What the Asterisk recipe of docs/admin/phone.md posts."""
    body = {"call_id": "1733565600.42", "event": event, "caller": CALLER, "called": "+34910000000"}
    answer = httpx.post(
        f"{server.url}/hooks/{account.webhook_key}/",
        content=json.dumps(body),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_a_ringing_call_pops_the_caller_and_their_open_tickets(
    page: Page,
    signed_in: Callable[..., Page],
    app_server: Server,
    screenshot: Callable[[Page, str], Path],
) -> None:
    group = make_group("Soporte")
    agent = make_agent(group, locale="es")
    customer = make_customer(name="Lucía Vázquez", email="lucia@example.com")
    add_identity(SYSTEM, user_id=customer.pk, channel="phone", value=CALLER)
    make_ticket(customer, subject="La factura no cuadra", group_id=group.pk)
    account = channels.create_account(
        SYSTEM, provider="generic_pbx", name="Centralita", secrets={"token": TOKEN},
        group_id=group.pk,
    )  # fmt: skip
    signed_in(page, agent)
    open_live(page, "/inbox/")

    pbx_event(app_server, account, "ringing")

    card = page.locator("#call-pops article.call-pop")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Lucía Vázquez")
    expect(card.get_by_role("link", name="La factura no cuadra")).to_be_visible()
    screenshot(page, "call-pop-ringing")

    pbx_event(app_server, account, "answered")
    expect(card).to_have_count(1)  # the same card follows the call
    card.get_by_role("link", name="La factura no cuadra").click()
    expect(page.locator("h1")).to_contain_text("La factura no cuadra")
    assert js_errors(page) == []
