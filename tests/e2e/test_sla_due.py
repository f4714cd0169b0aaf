"""The inbox's due badge counts down in the browser and flips to overdue, under Playwright's
controllable clock, in Spanish, on a desktop and a phone; the agent's status switch works."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from atiende.core.actor import Actor
from atiende.tickets.services.sla import set_due_times
from tests.e2e.axe import blocking_violations, report
from tests.e2e.conftest import js_errors
from tests.factories import make_agent, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SLA = Actor.system("sla")


def words(page: Page, state: str, minutes: int) -> str:
    """The badge's text as the page's own words say it (Spanish once the catalog has them)."""
    texts = json.loads(page.locator("#due-texts").text_content() or "{}")
    return texts[state].replace("%(time)s", texts["min"].replace("%(n)d", str(minutes)))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_due_badge_counts_down_and_flips_to_overdue(
    new_page: Callable[..., Page], signed_in: Callable[..., Page], phone: bool
) -> None:
    group = make_group("Soporte técnico")
    agent = make_agent(group, name="Lucía Agente", locale="es")
    ticket = make_ticket(group_id=group.pk, subject="El sistema está caído")
    start = timezone.now().replace(microsecond=0)
    set_due_times(
        SLA,
        ticket_id=ticket.pk,
        first_response_due_at=start + dt.timedelta(minutes=10, seconds=30),
        next_response_due_at=None,
        resolution_due_at=start + dt.timedelta(hours=8),
    )
    page = new_page(locale="es-CL", phone=phone)
    page.clock.install(time=start)
    signed_in(page, agent)
    page.goto("/inbox/?view=open&filtered=1&columns=subject&columns=due")
    assert page.locator("html").get_attribute("lang") == "es"
    # Signing in took some real seconds; stop the clock at 10 minutes 30 s before the breach.
    page.clock.pause_at(start + dt.timedelta(seconds=30))

    badge = page.locator(f"#ticket-row-{ticket.pk} .sla-due")
    expect(badge).to_have_class("sla-due sla-soon")
    expect(badge.locator("time")).to_have_text(words(page, "soon", 10))

    page.clock.fast_forward("05:00")  # the 30-second tick recounts without a reload
    expect(badge.locator("time")).to_have_text(words(page, "soon", 5))
    expect(badge).to_have_class("sla-due sla-soon")

    page.clock.fast_forward("06:00")
    expect(badge).to_have_class("sla-due sla-breached")
    expect(badge.locator("time")).to_have_text(words(page, "breached", 1))
    assert js_errors(page) == []


def test_the_status_switch_in_the_header(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    agent = make_agent(make_group("Soporte"), locale="es")
    page = new_page(locale="es-CL", phone=True)
    signed_in(page, agent)
    page.goto("/inbox/")
    menu = page.locator("#status-menu")
    # Loaded once, by htmx: offline (never seen) or online (the live socket was first).
    expect(menu.locator("summary")).to_have_class(re.compile(r"status-(offline|online)"))
    menu.locator("summary").click()
    menu.locator('button[value="away"]').click()
    expect(page.locator("#status-menu summary")).to_have_class("status-away")
    page.reload()
    expect(page.locator("#status-menu summary")).to_have_class("status-away")
    assert js_errors(page) == []


def test_every_badge_state_passes_axe_in_light_and_dark(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    group = make_group("Soporte técnico")
    agent = make_agent(group, locale="es")
    now = timezone.now()
    for minutes in (-12, 8, 180):  # breached, due soon, running
        ticket = make_ticket(group_id=group.pk, subject=f"Vence en {minutes}")
        due = now + dt.timedelta(minutes=minutes)
        set_due_times(
            SLA,
            ticket_id=ticket.pk,
            first_response_due_at=due,
            next_response_due_at=None,
            resolution_due_at=None,
        )
    paused = make_ticket(group_id=group.pk, subject="En pausa")
    set_due_times(
        SLA,
        ticket_id=paused.pk,
        first_response_due_at=None,
        next_response_due_at=None,
        resolution_due_at=None,
        paused=True,
    )
    page = signed_in(new_page(locale="es-CL"), agent)
    page.goto("/inbox/?view=open&filtered=1&columns=subject&columns=due&sort=sla_due_at")
    for state in ("breached", "soon", "running", "paused"):
        expect(page.locator(f".sla-due.sla-{state}")).to_have_count(1)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        found = blocking_violations(page, colours_only=True)
        assert not found, report(f"due badges [{scheme}]", found)
