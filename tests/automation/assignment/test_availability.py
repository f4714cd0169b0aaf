"""Only available agents get tickets: online, active lately, not out of office, within the
group's working hours, members of the group."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from atiende.accounts.selectors import effective_status
from atiende.accounts.services import add_out_of_office, note_seen, set_agent_status
from atiende.automation.assignment import availability
from atiende.core.actor import Actor, Source
from atiende.core.event_types import AgentAvailabilityChanged
from tests.automation.assignment.helpers import (
    assignee_of,
    automatic_group,
    available_agent,
    opening_at_eleven,
)
from tests.factories import make_agent, make_group, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def me(agent: Any) -> Actor:
    return Actor(user=agent, source=Source.WEB)


def test_an_online_agent_idle_too_long_counts_as_away_until_seen_again(
    clock: Any, on_commit: Callable[..., Any], published: list[object]
) -> None:
    group = automatic_group("least_load")
    agent = available_agent(group)
    assert effective_status(agent.pk, T0) == "online"

    clock.shift(datetime.timedelta(minutes=16))
    now = T0 + datetime.timedelta(minutes=16)
    assert effective_status(agent.pk, now) == "away"
    waiting = make_ticket(group_id=group.pk)
    assert assignee_of(waiting) is None

    with on_commit():
        note_seen(agent.pk)  # back at the workspace: the waiting ticket drains to them

    assert effective_status(agent.pk, now) == "online"
    assert assignee_of(waiting) == agent.pk
    back = [e for e in published if isinstance(e, AgentAvailabilityChanged)]
    assert back[-1].reason == "seen" and back[-1].available and back[-1].user_id == agent.pk


def test_being_seen_writes_at_most_once_a_minute(clock: Any) -> None:
    group = automatic_group("least_load")
    agent = available_agent(group)
    clock.shift(datetime.timedelta(minutes=14))
    note_seen(agent.pk)
    clock.shift(datetime.timedelta(seconds=30))
    note_seen(agent.pk)  # throttled: last seen stays 14 minutes after T0
    clock.shift(datetime.timedelta(seconds=45))  # 15m15s after T0, 1m15s after the write
    assert effective_status(agent.pk, T0 + datetime.timedelta(minutes=15, seconds=15)) == "online"
    # 29m10s after T0: 15m10s after the write (away), though 14m40s after the throttled call.
    clock.shift(datetime.timedelta(minutes=13, seconds=55))
    assert assignee_of(make_ticket(group_id=group.pk)) is None


def test_an_offline_or_away_agent_gets_nothing() -> None:
    group = automatic_group("round_robin")
    offline, away = available_agent(group), available_agent(group)
    set_agent_status(me(offline), user_id=offline.pk, status="offline")
    set_agent_status(me(away), user_id=away.pk, status="away")
    assert assignee_of(make_ticket(group_id=group.pk)) is None
    assert effective_status(offline.pk, datetime.datetime.now(datetime.UTC)) == "offline"


def test_an_agent_never_seen_is_not_available() -> None:
    group = automatic_group("round_robin")
    make_agent(group)
    assert assignee_of(make_ticket(group_id=group.pk)) is None


def test_an_agent_out_of_office_gets_nothing(clock: Any) -> None:
    group = automatic_group("round_robin")
    away, present = available_agent(group), available_agent(group)
    add_out_of_office(
        me(away),
        user_id=away.pk,
        starts_at=T0 - datetime.timedelta(hours=1),
        ends_at=T0 + datetime.timedelta(days=1),
    )
    got = {assignee_of(make_ticket(group_id=group.pk)) for _ in range(3)}
    assert got == {present.pk}
    assert effective_status(away.pk, T0) == "offline"


def test_outside_working_hours_nobody_gets_tickets(clock: Any) -> None:
    """T0 is Monday 10:00 in Santiago; the team works from 11:00."""
    opening_at_eleven()
    group = automatic_group("least_load")
    agent = available_agent(group)
    assert not availability.is_working(agent.pk, group.pk, T0)
    assert assignee_of(make_ticket(group_id=group.pk)) is None

    clock.move_to(T0 + datetime.timedelta(hours=1))
    note_seen(agent.pk)  # the agent is at work
    assert availability.is_working(agent.pk, group.pk, T0 + datetime.timedelta(hours=1))
    assert assignee_of(make_ticket(group_id=group.pk)) == agent.pk


def test_only_members_of_the_group_and_active_agents_are_candidates() -> None:
    group = automatic_group("round_robin")
    available_agent(make_group())  # another team's agent
    member = available_agent(group)
    assert {assignee_of(make_ticket(group_id=group.pk)) for _ in range(3)} == {member.pk}
