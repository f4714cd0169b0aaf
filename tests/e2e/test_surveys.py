"""A customer rates the service from the link in the survey mail, in Spanish, and adds a
comment: no sign-in, one click records the rating."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from atiende.outbox.delivery import deliver_due
from atiende.surveys.models import SurveyRequest
from atiende.tickets import services as tickets
from tests.e2e.axe import blocking_violations, report
from tests.e2e.conftest import js_errors
from tests.factories import SYSTEM, make_customer, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINK = re.compile(r"https?://[^/\s]+(/survey/[^/\s]+/(good|bad)/)")


def test_customer_rates_from_the_mail_and_comments_in_spanish(
    new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    customer = make_customer(email="lucia@cliente.test", name="Lucía", locale="es")
    ticket = make_ticket(customer, subject="No puedo entrar")
    tickets.update_ticket(SYSTEM, ticket_id=ticket.pk, version=None, changes={"status": "solved"})
    deliver_due()  # the worker sends the survey mail
    [sent] = [m for m in mail.outbox if "lucia@cliente.test" in m.to]
    body = sent.message().get_body(("plain",)).get_content()
    paths = {value: path for path, value in LINK.findall(body)}

    page = new_page(locale="es-ES")
    page.goto(paths["good"])
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("[data-survey-rating]")).to_have_attribute("data-survey-rating", "good")
    request = SurveyRequest.objects.get(ticket=ticket)
    assert request.rating == 1  # recorded at the click, before any comment
    page.locator("textarea[name=comment]").fill("Muy rápidos, gracias")
    screenshot(page, "survey-rated")
    violations = blocking_violations(page)
    assert violations == [], report("the rating page", violations)
    page.locator("form button[type=submit]").click()
    expect(page.locator("p[role=status]")).to_be_visible()
    screenshot(page, "survey-thanks")
    request.refresh_from_db()
    assert request.comment == "Muy rápidos, gracias"
    assert js_errors(page) == []
