"""The ticket page's SLA panel: each timer with its state and the policy that set it, for
agents, refreshed with the header; one query at most on top of the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets import services
from tests.factories import SYSTEM, make_ticket
from tests.sla.helpers import local, office, remove_shipped_policy, standard_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_the_shipped_policy() -> None:
    """From an empty list of policies (the shipped one: tests/sla/test_shipped_policy.py)."""
    remove_shipped_policy()


MONDAY_10 = local(2026, 12, 7, 10, 0)


def panel(html: str) -> list[str]:
    found = re.search(r'<ul class="sla-timers" id="ticket-sla"[^>]*>(.*?)</ul>', html, re.S)
    assert found is not None, "no SLA panel"
    return [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", found.group(1))]


def test_each_running_timer_shows_its_due_time_and_policy(
    group: Group, agent: User, customer: User, client_for: Any
) -> None:
    office()
    standard_policy(name="Gold")
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(customer, group_id=group.pk)
    with time_machine.travel(local(2026, 12, 7, 10, 52), tick=False):
        html = client_for(agent).get(reverse("ticket", args=[ticket.pk])).content.decode()
    rows = panel(html)
    assert rows[0].startswith("First reply") and "due in 8 min" in rows[0], rows
    assert all("Policy “Gold”" in row for row in rows)
    assert any(row.startswith("Resolution") for row in rows)
    # Due soon follows the policy's warning window (15 min): 8 min left is soon, 20 is not.
    assert 'class="sla-due sla-soon" data-due="' in html and 'data-soon="900"' in html
    with time_machine.travel(local(2026, 12, 7, 10, 40), tick=False):
        html = client_for(agent).get(reverse("ticket", args=[ticket.pk])).content.decode()
    assert "in 20 min" in panel(html)[0]
    assert 'class="sla-due sla-running"' in html


def test_paused_and_fulfilled_timers_say_so_and_the_header_refresh_carries_them(
    group: Group, agent: User, customer: User, client_for: Any
) -> None:
    office()
    standard_policy(name="Gold")
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(customer, group_id=group.pk)
        services.add_message(SYSTEM, ticket_id=ticket.pk, body="On it", public=True)
    with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
        response = client_for(agent).get(
            reverse("ticket-header", args=[ticket.pk]), HTTP_HX_REQUEST="true"
        )
    rows = panel(response.content.decode())
    assert any(row.startswith("Resolution") and "paused" in row for row in rows), rows


def test_the_panel_costs_one_query_and_none_without_sla(
    group: Group, agent: User, customer: User, client_for: Any
) -> None:
    plain = make_ticket(customer, group_id=group.pk)
    client = client_for(agent)
    client.get(reverse("ticket", args=[plain.pk]))
    with CaptureQueriesContext(connection) as without:
        html = client.get(reverse("ticket", args=[plain.pk])).content.decode()
    assert 'id="ticket-sla"' not in html
    assert not [q for q in without.captured_queries if "sla_slatimer" in q["sql"]]

    office()
    standard_policy()
    timed = make_ticket(customer, group_id=group.pk)
    client.get(reverse("ticket", args=[timed.pk]))
    with CaptureQueriesContext(connection) as with_sla:
        html = client.get(reverse("ticket", args=[timed.pk])).content.decode()
    assert 'id="ticket-sla"' in html
    timer_reads = [q for q in with_sla.captured_queries if "sla_slatimer" in q["sql"]]
    assert len(timer_reads) == 1
    assert len(with_sla.captured_queries) <= len(without.captured_queries) + 1


def test_customers_never_reach_the_panel(group: Group, customer: User, client_for: Any) -> None:
    office()
    standard_policy()
    ticket = make_ticket(customer, group_id=group.pk)
    response = client_for(customer).get(reverse("ticket", args=[ticket.pk]))
    assert response.status_code in (302, 403, 404)
    assert b"ticket-sla" not in response.content
