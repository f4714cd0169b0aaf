"""TEMPORARY probe of the ticket area (not committed)."""
from __future__ import annotations
import re
import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import js_errors
from tests.factories import make_agent, make_customer, make_group, make_ticket
from atiende.tickets.models import CannedResponse

pytestmark = [pytest.mark.xdist_group("e2e"), pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def overflow(page: Page) -> int:
    w, i = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return max(0, int(w) - int(i))

def setup():
    group = make_group("Support")
    agent = make_agent(group, name="Ana Pérez")
    make_agent(group, name="Bea Ruiz")
    customer = make_customer(name="Luis Gómez", email="luis@example.com")
    ticket = make_ticket(customer, group_id=group.pk, subject="Printer on fire")
    CannedResponse.objects.create(name="Greeting", body="Hello {{customer.first_name}}, ticket #{{ticket.number}}.")
    return agent, ticket

def test_desktop(page, signed_in, screenshot):
    agent, ticket = setup()
    page = signed_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    screenshot(page, "probe-ticket")
    page.get_by_role("button", name="Edit Priority").click()
    page.locator("#edit-priority").select_option("urgent")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-priority-value")).to_contain_text("Urgent")
    expect(page.locator("#timeline")).to_contain_text("changed priority from Normal to Urgent")
    # canned
    page.locator("details.canned summary").click()
    page.get_by_role("button", name="Greeting").click()
    expect(page.locator("textarea[data-composer]")).to_have_value(f"Hello Luis, ticket #{ticket.number}.")
    page.locator("textarea[data-composer]").fill("")
    # note + mention
    page.locator('input[name="public"][value="0"]').check()
    page.locator("textarea[data-composer]").press_sequentially("Look @Be")
    page.get_by_role("button", name=re.compile("Bea Ruiz")).click()
    expect(page.locator("#composer-mentions")).to_contain_text("@Bea Ruiz")
    page.locator("#composer-file").set_input_files(files=[{"name": "log.txt", "mimeType": "text/plain", "buffer": b"log"}])
    expect(page.locator("#composer-attachments")).to_contain_text("log.txt")
    screenshot(page, "probe-composer")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#timeline")).to_contain_text("Look @Bea Ruiz")
    expect(page.locator("#timeline .message-note").last).to_contain_text("Internal note")
    expect(page.locator("#timeline")).to_contain_text("log.txt")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator("#time-panel")).to_contain_text("Your timer is running")
    page.get_by_role("button", name="Stop timer").click()
    expect(page.locator("#time-panel")).to_contain_text("Start timer")
    screenshot(page, "probe-after")
    assert js_errors(page) == []

def test_phone(phone_page, signed_in, screenshot):
    agent, ticket = setup()
    page = signed_in(phone_page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    screenshot(page, "probe-ticket")
    assert overflow(page) == 0
    page.goto("/tickets/new/")
    screenshot(page, "probe-new")
    assert overflow(page) == 0
    page.locator("#id_requester_email").press_sequentially("luis")
    page.get_by_role("button", name=re.compile("Luis Gómez")).click()
    expect(page.locator("#requester-chosen")).to_be_visible()
    page.locator("#id_subject").fill("Called about printer")
    page.locator("#id_body").fill("He says it smokes")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.locator("h1")).to_contain_text("Called about printer")
    assert js_errors(page) == []
