"""The inbox's due column: the next SLA breach, written by the SLA engine, as a badge that says
breached / due soon / running / paused, and the due sort (soonest first, none last)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from atiende.core.errors import Invalid
from atiende.tickets import saved_views, services
from atiende.tickets.selectors import ticket_for_rules
from atiende.web import due
from tests.factories import SYSTEM, make_ticket, web
from tests.sla.helpers import local, office, standard_policy
from tests.web.inbox.conftest import Team, signed_in

MONDAY_10 = local(2026, 12, 7, 10, 0)


def due_cells(team: Team, **params: str) -> list[str]:
    response = signed_in(team.agent).get(
        reverse("inbox"),
        {"view": "open", "filtered": "1", "columns": ["number", "due"], **params},
    )
    assert response.status_code == 200
    return re.findall(r'<td data-label="Due">(.*?)</td>', response.content.decode())


def test_the_next_breach_is_the_soonest_running_timer_and_paused_clocks_say_so(
    team: Team,
) -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(group_id=team.support.pk)
    held = ticket_for_rules(ticket.pk)
    assert held is not None
    # First reply (60 business minutes) is the soonest of the three.
    assert held.sla_due_at == local(2026, 12, 7, 11, 0) == held.first_response_due_at
    assert held.sla_paused is False

    with time_machine.travel(local(2026, 12, 7, 10, 30), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    paused = ticket_for_rules(ticket.pk)
    assert paused is not None
    assert paused.sla_paused is True and paused.sla_due_at is None

    with time_machine.travel(local(2026, 12, 7, 12, 0), tick=False):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="open")
    resumed = ticket_for_rules(ticket.pk)
    assert resumed is not None
    assert resumed.sla_paused is False
    assert resumed.sla_due_at == local(2026, 12, 7, 12, 30)  # 30 minutes were left


@pytest.mark.parametrize(
    ("at", "css", "text"),
    [
        (local(2026, 12, 7, 7, 0), "sla-running", "in 4 h"),
        (local(2026, 12, 7, 10, 52), "sla-soon", "due in 8 min"),
        (local(2026, 12, 7, 11, 12), "sla-breached", "overdue by 12 min"),
    ],
)
def test_the_badge_says_how_long_is_left_or_overdue(
    team: Team, at: dt.datetime, css: str, text: str
) -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        make_ticket(group_id=team.support.pk)
    with time_machine.travel(at, tick=False):
        (cell,) = due_cells(team)
    assert f'class="sla-due {css}"' in cell
    assert f">{text}</time>" in cell
    assert re.search(r'<time datetime="2026-12-07T1[14]:00:00[^"]*">', cell), cell
    assert 'data-due="' in cell and 'title="Due ' in cell


def test_a_paused_ticket_shows_paused_and_one_without_sla_a_dash(team: Team) -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        ticket = make_ticket(group_id=team.support.pk)
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    cells = due_cells(team, status_category="pending")
    assert cells == ['<span class="sla-due sla-paused">paused</span>']


def test_the_due_sort_is_soonest_breach_first_and_no_sla_last(team: Team) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        none = make_ticket(group_id=team.support.pk, priority="normal")
        office()
        standard_policy()
        normal = make_ticket(group_id=team.support.pk, priority="normal")
        urgent = make_ticket(group_id=team.support.pk, priority="urgent")  # 15 min first reply
        response = signed_in(team.agent).get(
            reverse("inbox"), {"view": "open", "filtered": "1", "sort": "sla_due_at"}
        )
    ids = [int(i) for i in re.findall(r'id="ticket-row-(\d+)"', response.content.decode())]
    assert ids == [urgent.pk, normal.pk, none.pk]


def test_relative_words_are_coarse_and_spanish_ready() -> None:
    now = MONDAY_10
    assert due.relative_text(now + dt.timedelta(minutes=8), now) == "due in 8 min"
    assert due.relative_text(now - dt.timedelta(minutes=12), now) == "overdue by 12 min"
    assert due.relative_text(now + dt.timedelta(hours=3, minutes=5), now) == "in 3 h"
    assert due.relative_text(now + dt.timedelta(days=3), now) == "in 3 d"
    assert due.state(now, now) == "breached"


def test_the_sla_filter_lists_breached_or_due_soon_tickets(team: Team) -> None:
    office()
    standard_policy()
    with time_machine.travel(MONDAY_10, tick=False):
        normal = make_ticket(group_id=team.support.pk, priority="normal")  # first reply 11:00
        urgent = make_ticket(group_id=team.support.pk, priority="urgent")  # first reply 10:15
    client = signed_in(team.agent)

    def listed(sla: str) -> list[int]:
        response = client.get(reverse("inbox"), {"view": "open", "filtered": "1", "sla": sla})
        assert response.status_code == 200
        return [int(i) for i in re.findall(r'id="ticket-row-(\d+)"', response.content.decode())]

    with time_machine.travel(local(2026, 12, 7, 10, 20), tick=False):
        assert listed("breached") == [urgent.pk]
        assert sorted(listed("soon")) == sorted([urgent.pk, normal.pk])
    with time_machine.travel(local(2026, 12, 7, 9, 0), tick=False):
        assert listed("breached") == []


def test_an_unknown_sla_state_is_refused_naming_the_filter(team: Team) -> None:
    with pytest.raises(Invalid) as caught:
        saved_views.create_saved_view(web(team.agent), name="Late", filters={"sla": "late"})
    assert [e.field for e in caught.value.errors] == ["sla"]
    assert "late" in str(caught.value.errors[0].message)
    view = saved_views.create_saved_view(web(team.agent), name="Late", filters={"sla": "soon"})
    assert view.filters == {"sla": "soon"}
