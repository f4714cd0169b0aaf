"""Time spent: one running timer per agent and ticket, manual entries, totals that add up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.core.event_types import TicketUpdated
from atiende.tickets import services
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket, TicketEvent, TimeEntry
from atiende.tickets.services.time import ticket_time, time_by_agent
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> tuple[Any, Any, Ticket]:
    group = make_group()
    agent = make_agent(group)
    return group, agent, make_ticket(make_customer(), group_id=group.pk)


def test_timer_start_and_stop_adds_the_elapsed_time_and_records_it(setup: Any) -> None:
    _, agent, ticket = setup
    entry = services.start_timer(web(agent), ticket_id=ticket.pk)
    assert entry.running and entry.started_at is not None
    TimeEntry.objects.filter(pk=entry.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    stopped = services.stop_timer(web(agent), ticket_id=ticket.pk, note="  call  back ")

    assert not stopped.running
    assert 300 <= stopped.seconds < 310
    assert stopped.note == "call back"
    ticket.refresh_from_db()
    assert ticket.time_spent_seconds == stopped.seconds
    logged = TicketEvent.objects.get(ticket=ticket, action="time_logged")
    assert logged.actor_id == agent.pk
    assert logged.new_value == {
        "entry_id": stopped.pk,
        "seconds": stopped.seconds,
        "note": "call back",
    }
    assert TicketEvent.objects.filter(ticket=ticket, action="timer_started").count() == 1


def test_second_running_timer_is_refused(setup: Any) -> None:
    _, agent, ticket = setup
    services.start_timer(web(agent), ticket_id=ticket.pk)
    with pytest.raises(Conflict):
        services.start_timer(web(agent), ticket_id=ticket.pk)
    assert TimeEntry.objects.filter(ticket=ticket, running=True).count() == 1


def test_two_agents_may_each_run_a_timer(setup: Any) -> None:
    group, agent, ticket = setup
    services.start_timer(web(agent), ticket_id=ticket.pk)
    services.start_timer(web(make_agent(group)), ticket_id=ticket.pk)
    assert TimeEntry.objects.filter(ticket=ticket, running=True).count() == 2


def test_stopping_without_a_timer_is_a_conflict(setup: Any) -> None:
    _, agent, ticket = setup
    with pytest.raises(Conflict):
        services.stop_timer(web(agent), ticket_id=ticket.pk)


def test_a_forgotten_timer_counts_at_most_a_day(setup: Any) -> None:
    _, agent, ticket = setup
    entry = services.start_timer(web(agent), ticket_id=ticket.pk)
    TimeEntry.objects.filter(pk=entry.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert services.stop_timer(web(agent), ticket_id=ticket.pk).seconds == 24 * 3600


def test_manual_entries_add_up_atomically(setup: Any) -> None:
    _, agent, ticket = setup
    services.log_time(web(agent), ticket_id=ticket.pk, minutes=15, note="research")
    services.log_time(web(agent), ticket_id=ticket.pk, minutes=30)
    ticket.refresh_from_db()
    assert ticket.time_spent_seconds == 45 * 60
    assert TicketEvent.objects.filter(ticket=ticket, action="time_logged").count() == 2


@pytest.mark.parametrize(
    ("minutes", "note", "field"),
    [(0, "", "minutes"), (-5, "", "minutes"), (24 * 60 + 1, "", "minutes"),
     (True, "", "minutes"), (10, "x" * 501, "note")],
)  # fmt: skip
def test_bad_manual_entries_are_refused_and_write_nothing(
    setup: Any, minutes: Any, note: str, field: str
) -> None:
    _, agent, ticket = setup
    with pytest.raises(Invalid) as error:
        services.log_time(web(agent), ticket_id=ticket.pk, minutes=minutes, note=note)
    assert error.value.errors[0].field == field
    assert not TimeEntry.objects.exists()
    ticket.refresh_from_db()
    assert ticket.time_spent_seconds == 0


def test_logging_time_keeps_the_version_and_publishes_an_update(
    setup: Any, on_commit: Any, published: list[Any]
) -> None:
    _, agent, ticket = setup
    with on_commit():
        services.log_time(web(agent), ticket_id=ticket.pk, minutes=5)
    ticket.refresh_from_db()
    assert ticket.version == 1
    update = next(e for e in published if isinstance(e, TicketUpdated))
    assert update.fields == ("time_spent",)
    assert update.changes[0].new == {
        "entry_id": TimeEntry.objects.get().pk,
        "seconds": 300,
        "note": "",
    }


def test_agents_outside_the_group_and_customers_cannot_log_time(setup: Any) -> None:
    _, _agent, ticket = setup
    with pytest.raises(TicketNotFound):
        services.log_time(web(make_agent(make_group())), ticket_id=ticket.pk, minutes=5)
    with pytest.raises(Forbidden):
        services.log_time(web(ticket.requester), ticket_id=ticket.pk, minutes=5)
    with pytest.raises(Forbidden):
        services.start_timer(SYSTEM, ticket_id=ticket.pk)
    assert not TimeEntry.objects.exists()


def test_ticket_time_lists_entries_and_the_callers_running_timer(setup: Any) -> None:
    group, agent, ticket = setup
    other = make_agent(group)
    services.log_time(web(other), ticket_id=ticket.pk, minutes=10)
    services.start_timer(web(agent), ticket_id=ticket.pk)

    mine = ticket_time(web(agent), ticket.pk)
    theirs = ticket_time(web(other), ticket.pk)

    assert mine.total_seconds == 600
    assert len(mine.entries) == 2
    assert mine.running is not None and mine.running.agent_id == agent.pk
    assert theirs.running is None


def test_time_by_agent_sums_stopped_entries_in_the_range_on_visible_tickets(setup: Any) -> None:
    _, agent, ticket = setup
    other_group = make_group()
    other_agent = make_agent(other_group)
    hidden = make_ticket(make_customer(), group_id=other_group.pk)
    services.log_time(web(agent), ticket_id=ticket.pk, minutes=10)
    services.log_time(web(agent), ticket_id=ticket.pk, minutes=5)
    services.log_time(web(other_agent), ticket_id=hidden.pk, minutes=7)
    services.start_timer(web(agent), ticket_id=ticket.pk)
    now = timezone.now()
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(hours=1)

    assert time_by_agent(SYSTEM, start=start, end=end) == {agent.pk: 900, other_agent.pk: 420}
    assert time_by_agent(web(agent), start=start, end=end) == {agent.pk: 900}
    assert time_by_agent(SYSTEM, start=end, end=end + datetime.timedelta(hours=1)) == {}
    assert time_by_agent(SYSTEM, start=start, end=end, agent_ids=[other_agent.pk]) == {
        other_agent.pk: 420
    }
