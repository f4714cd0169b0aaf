"""An agent's availability from the workspace: the status switch in the header and their
out-of-office periods on their account page, through ``accounts.services``."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from atiende.accounts.models import User
from atiende.accounts.selectors import effective_status, own_out_of_office
from tests.factories import make_agent, make_customer, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def summary(html: str) -> str:
    found = re.search(
        r'<details class="menu status-menu" id="status-menu"[^>]*>\s*<summary class="([^"]+)"', html
    )
    assert found is not None, "no status switch"
    return found.group(1)


def test_the_switch_sets_the_status_and_the_header_shows_it() -> None:
    agent = make_agent(make_group("Soporte"))
    client = signed_in(agent)
    first = client.get(reverse("inbox")).content.decode()
    assert summary(first) == "status-unknown"  # asks once, by htmx
    assert 'hx-get="/account/status/" hx-trigger="load"' in first

    loaded = client.get(reverse("account-status"), HTTP_HX_REQUEST="true")
    assert loaded.status_code == 200
    assert summary(loaded.content.decode()) == "status-offline"  # never seen

    client.post(reverse("account-status"), {"status": "online"}, HTTP_HX_REQUEST="true")
    assert effective_status(agent.pk, timezone.now()) == "online"
    answer = client.post(reverse("account-status"), {"status": "away"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert summary(answer.content.decode()) == "status-away"
    assert 'value="away" class="status-away" aria-pressed="true"' in answer.content.decode()
    assert effective_status(agent.pk, timezone.now()) == "away"

    page = client.get(reverse("inbox")).content.decode()
    assert summary(page) == "status-away"

    back = client.post(reverse("account-status"), {"status": "online", "next": "/inbox/"})
    assert back.status_code == 302 and back["Location"] == "/inbox/"
    assert effective_status(agent.pk, timezone.now()) == "online"


def next_field(html: str) -> str:
    found = re.search(r'<input type="hidden" name="next" value="([^"]*)">', html)
    assert found is not None, "no next field"
    return found.group(1).replace("&amp;", "&")


def test_the_menu_loaded_by_htmx_goes_back_to_the_page_it_is_on() -> None:
    client = signed_in(make_agent(make_group("Soporte")))
    page = "http://testserver/tickets/?view=mine&page=2"

    loaded = client.get(reverse("account-status"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)
    assert next_field(loaded.content.decode()) == "/tickets/?view=mine&page=2"
    # A page on another site is reduced to its path; the POST checks it once more.
    elsewhere = client.get(
        reverse("account-status"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example//evil.example/steal",
    )
    wanted = next_field(elsewhere.content.decode())
    back = client.post(reverse("account-status"), {"status": "online", "next": wanted})
    assert back.status_code == 302 and back["Location"] == "/inbox/"


def test_an_unknown_status_is_refused_naming_it_and_nothing_changes() -> None:
    agent = make_agent(make_group("Soporte"))
    client = signed_in(agent)
    client.post(reverse("account-status"), {"status": "online"}, HTTP_HX_REQUEST="true")
    client.post(reverse("account-status"), {"status": "away"}, HTTP_HX_REQUEST="true")
    answer = client.post(reverse("account-status"), {"status": "sleeping"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 422
    assert "Unknown status “sleeping”" in answer.content.decode()
    assert summary(answer.content.decode()) == "status-away"
    assert effective_status(agent.pk, timezone.now()) == "away"


def test_the_header_costs_no_query_once_the_status_is_known() -> None:
    agent = make_agent(make_group("Soporte"))
    client = signed_in(agent)
    client.post(reverse("account-status"), {"status": "online"}, HTTP_HX_REQUEST="true")
    client.get(reverse("inbox"))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("inbox"))
    assert not [q for q in captured.captured_queries if "agentavailability" in q["sql"]]


def test_customers_have_no_switch() -> None:
    customer = make_customer()
    response = signed_in(customer).post(reverse("account-status"), {"status": "online"})
    assert response.status_code in (302, 403, 404)


def test_an_agent_adds_and_removes_out_of_office_periods() -> None:
    agent = make_agent(make_group("Soporte"))
    client = signed_in(agent)
    with time_machine.travel(NOW, tick=False):
        added = client.post(
            reverse("account-away"),
            {"starts_at": "2026-12-20T09:00", "ends_at": "2026-12-31T18:00", "note": "Vacaciones"},
        )
        assert added.status_code == 302
        (period,) = own_out_of_office(agent.pk, timezone.now())
        assert period.note == "Vacaciones"
        listing = client.get(reverse("account-away")).content.decode()
        assert "Vacaciones" in listing and "Remove" in listing

        removed = client.post(reverse("account-away-end", args=[period.pk]))
        assert removed.status_code == 302
        assert own_out_of_office(agent.pk, timezone.now()) == []


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        ("2026-12-20T09:00", "2026-12-19T09:00", "ends_at", "The end must be after the start."),
        ("2026-12-01T09:00", "2026-12-02T09:00", "ends_at", "The period is already over."),
        ("2026-12-21T09:00", "2026-12-22T09:00", "starts_at", "overlaps another"),
        ("", "2026-12-22T09:00", "starts_at", "This field is required."),
        ("not a date", "2026-12-22T09:00", "starts_at", "Enter a valid date/time."),
    ],
)
def test_bad_periods_are_refused_naming_the_field(
    starts: str, ends: str, field: str, message: str
) -> None:
    agent = make_agent(make_group("Soporte"))
    client = signed_in(agent)
    with time_machine.travel(NOW, tick=False):
        client.post(
            reverse("account-away"),
            {"starts_at": "2026-12-20T09:00", "ends_at": "2026-12-31T18:00"},
        )
        answer = client.post(reverse("account-away"), {"starts_at": starts, "ends_at": ends})
        html = answer.content.decode()
        assert answer.status_code == 422
        block = re.search(rf'<label for="id_{field}">.*?</p>', html, re.S)
        assert block is not None
        errors = re.findall(r'class="field-error" role="alert">(.*?)</span>', block.group(0))
        assert any(message in e for e in errors), errors
        assert len(own_out_of_office(agent.pk, timezone.now())) == 1


def test_another_agents_period_is_out_of_reach() -> None:
    group = make_group("Soporte")
    agent, other = make_agent(group), make_agent(group, name="Otra")
    with time_machine.travel(NOW, tick=False):
        signed_in(other).post(
            reverse("account-away"),
            {"starts_at": "2026-12-20T09:00", "ends_at": "2026-12-31T18:00"},
        )
        (period,) = own_out_of_office(other.pk, timezone.now())
        answer = signed_in(agent).post(reverse("account-away-end", args=[period.pk]))
        assert answer.status_code == 403
        assert own_out_of_office(other.pk, timezone.now()) == [period]
