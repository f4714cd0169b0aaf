"""An agent's day: open the inbox, open a ticket, reply, add an internal note."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.skip(reason="waiting for inbox (/inbox/ is still a placeholder)")
def test_inbox_lists_tickets_and_opens_one(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    raise NotImplementedError


@pytest.mark.skip(reason="waiting for ticket (/tickets/<id>/ is still a placeholder)")
def test_agent_replies_to_a_ticket(page: Page, signed_in: Callable[..., Page]) -> None:
    raise NotImplementedError


@pytest.mark.skip(reason="waiting for ticket (/tickets/<id>/ is still a placeholder)")
def test_agent_adds_an_internal_note(page: Page, signed_in: Callable[..., Page]) -> None:
    raise NotImplementedError


@pytest.mark.skip(reason="waiting for ticket (/tickets/<id>/ is still a placeholder)")
def test_reply_on_a_phone(phone_page: Page, signed_in: Callable[..., Page]) -> None:
    raise NotImplementedError
