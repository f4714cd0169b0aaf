"""Issue 14's browser test: an admin builds a trigger and an SLA policy in the settings screens
and dry-runs the trigger on a ticket; an agent then sees that policy's due badge count down
in the inbox (Playwright's clock), in Spanish."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from atiende.automation.models import Trigger
from atiende.sla.models import SlaPolicy
from atiende.tickets.models import Ticket
from tests.e2e.conftest import Server, js_errors
from tests.e2e.test_realtime import api
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def save(form_page: Page) -> None:
    """The form's own Save (the editors' "Add a row" and "Try it" are submit buttons too)."""
    form_page.locator("form.settings-form > button[type=submit]:not([name])").last.click()


def countdown_words(page: Page, state: str, minutes: int) -> str:
    """The badge's text as the page's own words say it (``due.js`` reads the same table)."""
    texts = json.loads(page.locator("#due-texts").text_content() or "{}")
    return str(texts[state].replace("%(time)s", texts["min"].replace("%(n)d", str(minutes))))


def test_an_admin_builds_a_trigger_and_a_policy_and_an_agent_sees_the_due_badge_count_down(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], app_server: Server
) -> None:
    support = make_group("Soporte")
    admin = make_admin(name="Sofía Admin")
    agent = make_agent(support, name="Ana Pérez", locale="es")
    customer = make_customer(name="Lucía Vázquez")
    printer = make_ticket(customer, group_id=support.pk, subject="La impresora no imprime")

    admin_page = signed_in(new_page(locale="es-CL"), admin)

    # A trigger: a subject about a printer gets the tag "impresoras".
    admin_page.goto("/settings/triggers/new/")
    admin_page.locator('input[name="name"]').fill("Impresoras")
    admin_page.locator('select[name="all-0-field"]').select_option("subject")
    admin_page.locator('select[name="all-0-operator"]').select_option("contains")
    admin_page.locator('input[name="all-0-value"]').fill("impresora")
    admin_page.locator('select[name="act-0-type"]').select_option("add_tags")
    admin_page.locator('textarea[name="act-0-value"]').fill("impresoras")
    save(admin_page)
    expect(admin_page).to_have_url(re.compile(r"/settings/triggers/$"))
    trigger = Trigger.objects.get(name="Impresoras")
    assert trigger.active and trigger.actions == [{"type": "add_tags", "value": ["impresoras"]}]

    # Its dry run on the printer ticket: it matches, says what it would do, changes nothing.
    admin_page.goto(f"/settings/triggers/{trigger.pk}/")
    dry_run = admin_page.locator(f'form[action="/settings/triggers/{trigger.pk}/dry-run/"]')
    dry_run.locator('input[name="number"]').fill(str(printer.number))
    dry_run.locator("button[type=submit]").click()
    result = admin_page.locator("section.dry-run")
    expect(result.locator("h2")).not_to_be_empty()
    expect(result).to_contain_text("add_tags")
    expect(result).to_contain_text("✓")
    assert list(Ticket.objects.get(pk=printer.pk).tags.values_list("name", flat=True)) == []
    assert Trigger.objects.get(pk=trigger.pk).fired_count == 0

    # An SLA policy: a normal ticket's first reply within 30 minutes, calendar time.
    admin_page.goto("/settings/sla/new/")
    admin_page.locator('input[name="name"]').fill("Estándar")
    admin_page.locator('input[name="t-normal-first_reply-amount"]').fill("30")
    business = admin_page.locator('input[name="t-normal-first_reply-business"]')
    if business.is_checked():
        business.uncheck()
    save(admin_page)
    expect(admin_page).to_have_url(re.compile(r"/settings/sla/$"))
    assert SlaPolicy.objects.filter(name="Estándar", is_active=True).exists()
    assert js_errors(admin_page) == []

    # A ticket about another printer arrives through the API (the server's process, which
    # reads the rules the admin just saved): the trigger tags it, the policy times it.
    answer = api(
        app_server, agent, "POST", "/tickets",
        subject="Otra impresora atascada", body="No saca las hojas.",
        requester={"email": customer.email}, group_id=support.pk,
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    ticket = Ticket.objects.get(pk=answer.json()["id"])
    assert list(ticket.tags.values_list("name", flat=True)) == ["impresoras"]
    due = ticket.first_response_due_at
    assert due is not None
    assert abs(due - (ticket.created_at + dt.timedelta(minutes=30))) < dt.timedelta(seconds=2)

    page = new_page(locale="es-CL")
    page.clock.install(time=ticket.created_at)
    signed_in(page, agent)
    page.goto("/inbox/?view=open&filtered=1&columns=subject&columns=due")
    page.clock.pause_at(due - dt.timedelta(minutes=10))
    badge = page.locator(f"#ticket-row-{ticket.pk} .sla-due")
    expect(badge.locator("time")).to_have_text(countdown_words(page, "soon", 10))
    page.clock.fast_forward("05:00")
    expect(badge.locator("time")).to_have_text(countdown_words(page, "soon", 5))
    page.clock.fast_forward("06:00")
    expect(badge).to_have_class("sla-due sla-breached")
    assert js_errors(page) == []
