"""The unassigned backlog drains to agents as they become available — most urgent first, up
to their capacity — and an absent agent's open tickets are handed over when their leave
starts."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from atiende.accounts.services import (
    add_out_of_office,
    end_out_of_office,
    note_seen,
    set_agent_status,
    update_availability,
)
from atiende.automation.assignment.tasks import drain_backlogs, hand_over_out_of_office
from atiende.core.actor import Actor, Source
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import ticket_events
from tests.automation.assignment.helpers import (
    ADMIN,
    assignee_of,
    automatic_group,
    available_agent,
    opening_at_eleven,
)
from tests.factories import SYSTEM, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def me(agent: Any) -> Actor:
    return Actor(user=agent, source=Source.WEB)


def backlog(group_id: int, clock: Any) -> dict[str, Ticket]:
    """Four waiting tickets opened a minute apart, oldest first: low, urgent, normal, urgent."""
    made = {}
    for name, priority in (("low", "low"), ("urgent1", "urgent"), ("normal", "normal")):
        made[name] = make_ticket(group_id=group_id, priority=priority)
        clock.shift(datetime.timedelta(minutes=1))
    made["urgent2"] = make_ticket(group_id=group_id, priority="urgent")
    return made


def test_an_agent_coming_online_takes_the_most_urgent_first_up_to_capacity(
    clock: Any, on_commit: Callable[..., Any]
) -> None:
    group = automatic_group("least_load")
    agent = available_agent(group, capacity=2)
    set_agent_status(me(agent), user_id=agent.pk, status="offline")
    waiting = backlog(group.pk, clock)
    assert all(assignee_of(t) is None for t in waiting.values())

    with on_commit():
        set_agent_status(me(agent), user_id=agent.pk, status="online")

    got = {name: assignee_of(t) for name, t in waiting.items()}
    assert got == {"urgent1": agent.pk, "urgent2": agent.pk, "normal": None, "low": None}

    with on_commit():  # solving frees a slot: the next most urgent follows
        tickets.change_status(me(agent), ticket_id=waiting["urgent1"].pk, status="solved")
    assert assignee_of(waiting["normal"]) == agent.pk and assignee_of(waiting["low"]) is None

    with on_commit():  # more capacity: the rest
        update_availability(ADMIN, user_id=agent.pk, changes={"capacity": 5})
    assert assignee_of(waiting["low"]) == agent.pk


def test_equal_priority_drains_oldest_first(clock: Any, on_commit: Callable[..., Any]) -> None:
    group = automatic_group("round_robin")
    agent = available_agent(group, capacity=1)
    set_agent_status(me(agent), user_id=agent.pk, status="offline")
    first = make_ticket(group_id=group.pk)
    clock.shift(datetime.timedelta(minutes=1))
    second = make_ticket(group_id=group.pk)

    with on_commit():
        set_agent_status(me(agent), user_id=agent.pk, status="online")
    assert (assignee_of(first), assignee_of(second)) == (agent.pk, None)


def test_the_scheduler_drains_a_backlog_when_the_calendar_opens(clock: Any) -> None:
    """T0 is Monday 10:00 in Santiago; the team works from 11:00."""
    opening_at_eleven()
    group = automatic_group("least_load")
    agent = available_agent(group)
    ticket = make_ticket(group_id=group.pk)
    assert drain_backlogs.call() == 0 and assignee_of(ticket) is None

    clock.move_to(T0 + datetime.timedelta(hours=1))
    note_seen(agent.pk)  # at work when the team opens
    assert drain_backlogs.call() == 1
    assert assignee_of(ticket) == agent.pk
    assert drain_backlogs.call() == 0  # nothing waits: the tally says so


def test_out_of_office_hands_over_open_tickets_when_it_starts(
    clock: Any, on_commit: Callable[..., Any]
) -> None:
    group = automatic_group("round_robin")
    leaving, staying = available_agent(group), available_agent(group)
    mine = [make_ticket(group_id=group.pk, assignee_id=leaving.pk) for _ in range(2)]
    solved = make_ticket(group_id=group.pk, assignee_id=leaving.pk)
    tickets.change_status(SYSTEM, ticket_id=solved.pk, status="solved")
    ungrouped = make_ticket(assignee_id=leaving.pk)
    period = add_out_of_office(
        me(leaving),
        user_id=leaving.pk,
        starts_at=T0 + datetime.timedelta(hours=1),
        ends_at=T0 + datetime.timedelta(days=2),
    )

    assert hand_over_out_of_office.call() == 0  # not started yet
    assert all(assignee_of(t) == leaving.pk for t in mine)

    clock.shift(datetime.timedelta(hours=2))
    set_agent_status(me(staying), user_id=staying.pk, status="online")  # active just now
    assert hand_over_out_of_office.call() == 3

    assert [assignee_of(t) for t in mine] == [staying.pk, staying.pk]
    assert assignee_of(ungrouped) is None  # no group, no strategy: just released
    assert assignee_of(solved) == leaving.pk  # done work stays theirs
    history = list(ticket_events(SYSTEM, mine[0].pk).filter(field="assignee").order_by("pk"))
    assert [(e.old_value, e.new_value) for e in history[-2:]] == [
        ({"id": leaving.pk, "name": leaving.display_name}, None),
        (None, {"id": staying.pk, "name": staying.display_name}),
    ]
    assert {e.source_detail for e in history[-2:]} == {f"assignment:{group.pk}"}
    assert hand_over_out_of_office.call() == 0  # handled once
    period.refresh_from_db()
    assert period.handed_over_at is not None

    # The period ends: the scheduler marks the return, and the backlog drains to them.
    set_agent_status(me(staying), user_id=staying.pk, status="offline")
    waiting = make_ticket(group_id=group.pk)
    assert assignee_of(waiting) is None
    clock.shift(datetime.timedelta(days=2))
    set_agent_status(me(leaving), user_id=leaving.pk, status="online")
    with on_commit():
        hand_over_out_of_office.call()
    assert assignee_of(waiting) == leaving.pk


def test_ending_out_of_office_early_drains_to_the_agent(
    clock: Any, on_commit: Callable[..., Any]
) -> None:
    group = automatic_group("least_load")
    agent = available_agent(group)
    period = add_out_of_office(
        me(agent),
        user_id=agent.pk,
        starts_at=T0 - datetime.timedelta(minutes=5),
        ends_at=T0 + datetime.timedelta(days=1),
    )
    waiting = make_ticket(group_id=group.pk)
    assert assignee_of(waiting) is None

    with on_commit():
        end_out_of_office(me(agent), period_id=period.pk)
    assert assignee_of(waiting) == agent.pk


def test_a_period_over_before_the_scheduler_saw_it_moves_nothing(clock: Any) -> None:
    group = automatic_group("round_robin")
    agent, other = available_agent(group), available_agent(group)
    ticket = make_ticket(group_id=group.pk, assignee_id=agent.pk)
    add_out_of_office(
        me(agent),
        user_id=agent.pk,
        starts_at=T0 + datetime.timedelta(minutes=10),
        ends_at=T0 + datetime.timedelta(minutes=40),
    )
    clock.shift(datetime.timedelta(hours=1))
    set_agent_status(me(other), user_id=other.pk, status="online")

    assert hand_over_out_of_office.call() == 0
    assert assignee_of(ticket) == agent.pk
