"""A per-agent chat capacity apart from the ticket capacity (issue 16): an agent's open chats
(channel "chat") count against ``chat_capacity`` only, their other tickets against
``capacity`` only, for every strategy, on a new ticket and when the backlog drains."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from atiende.accounts.models import AgentAvailability
from atiende.accounts.services import set_agent_status, update_availability
from atiende.automation.assignment import engine
from atiende.core.actor import Actor, Source
from atiende.core.errors import Forbidden, Invalid
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from atiende.tickets.workload import agent_chat_load, agent_load, unassigned_backlog
from tests.automation.assignment.helpers import (
    ADMIN,
    assignee_of,
    automatic_group,
    available_agent,
)
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC)
STRATEGIES = ("round_robin", "least_load", "skills", "affinity")


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def chat_agent(group: Any, *, capacity: int | None, chat_capacity: int | None) -> Any:
    agent = available_agent(group, capacity=capacity)
    update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": chat_capacity})
    return agent


def chat(group: Any) -> Ticket:
    return make_ticket(group_id=group.pk, channel="chat")


def email(group: Any) -> Ticket:
    return make_ticket(group_id=group.pk, channel="email")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_chats_fill_the_chat_capacity_and_tickets_the_ticket_capacity(strategy: str) -> None:
    group = automatic_group(strategy)
    agent = chat_agent(group, capacity=1, chat_capacity=2)

    chats = [chat(group) for _ in range(3)]
    mails = [email(group) for _ in range(2)]

    assert [assignee_of(t) for t in chats] == [agent.pk, agent.pk, None]
    assert [assignee_of(t) for t in mails] == [agent.pk, None]
    assert (agent_chat_load(agent.pk), agent_load(agent.pk)) == (2, 3)


def test_a_full_ticket_queue_does_not_stop_chats() -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group, capacity=0, chat_capacity=1)

    mail, first, second = email(group), chat(group), chat(group)

    assert (assignee_of(mail), assignee_of(first), assignee_of(second)) == (None, agent.pk, None)


def test_no_chat_capacity_means_no_limit_on_chats() -> None:
    group = automatic_group("least_load")
    agent = chat_agent(group, capacity=1, chat_capacity=None)

    chats = [chat(group) for _ in range(5)]

    assert {assignee_of(t) for t in chats} == {agent.pk}
    assert assignee_of(email(group)) == agent.pk  # five chats leave the ticket slot free
    assert assignee_of(email(group)) is None


def test_least_load_weighs_chats_by_open_chats_and_tickets_by_other_tickets() -> None:
    group = automatic_group("least_load")
    busy_with_mail = chat_agent(group, capacity=None, chat_capacity=None)
    busy_with_chats = chat_agent(group, capacity=None, chat_capacity=None)
    for _ in range(3):
        tickets.assign_ticket(ADMIN, ticket_id=email(group).pk, assignee_id=busy_with_mail.pk)
    for _ in range(2):
        tickets.assign_ticket(ADMIN, ticket_id=chat(group).pk, assignee_id=busy_with_chats.pk)

    assert assignee_of(chat(group)) == busy_with_mail.pk  # no open chat, though 3 tickets
    assert assignee_of(email(group)) == busy_with_chats.pk  # no other ticket, though 2 chats


def test_draining_hands_out_chats_and_tickets_each_to_its_own_capacity(
    on_commit: Callable[..., Any],
) -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group, capacity=1, chat_capacity=2)
    me = Actor(user=agent, source=Source.WEB)
    set_agent_status(me, user_id=agent.pk, status="offline")
    waiting = [chat(group), email(group), chat(group), chat(group), email(group)]
    assert all(assignee_of(t) is None for t in waiting)

    with on_commit():
        set_agent_status(me, user_id=agent.pk, status="online")

    chats = [assignee_of(t) for t in waiting if t.channel == "chat"]
    mails = [assignee_of(t) for t in waiting if t.channel == "email"]
    assert chats == [agent.pk, agent.pk, None] and mails == [agent.pk, None]

    with on_commit():  # a chat ended: the waiting chat follows, not the waiting ticket
        tickets.change_status(me, ticket_id=waiting[0].pk, status="solved")
    assert assignee_of(waiting[3]) == agent.pk and assignee_of(waiting[4]) is None

    with on_commit():  # more chat room alone gives no ticket
        update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 10})
    assert assignee_of(waiting[4]) is None
    assert unassigned_backlog(group.pk, limit=10, chat=True) == []
    assert unassigned_backlog(group.pk, limit=10, chat=False) == [waiting[4].pk]


def test_more_chat_capacity_drains_waiting_chats(on_commit: Callable[..., Any]) -> None:
    group = automatic_group("least_load")
    agent = chat_agent(group, capacity=None, chat_capacity=0)
    waiting = chat(group)
    assert assignee_of(waiting) is None

    with on_commit():
        update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 1})

    assert assignee_of(waiting) == agent.pk


def test_chats_held_in_another_group_count() -> None:
    sales, support = automatic_group("round_robin"), automatic_group("round_robin")
    agent = chat_agent(sales, capacity=None, chat_capacity=1)
    agent.groups.add(support)
    first = chat(support)
    assert assignee_of(first) == agent.pk

    waiting = chat(sales)
    assert assignee_of(waiting) is None and engine.preview(waiting.pk) is None
    assert assignee_of(email(sales)) == agent.pk


def test_chat_capacity_is_the_administrators_and_a_whole_number() -> None:
    agent = make_agent()

    with pytest.raises(Forbidden):
        update_availability(
            Actor(user=agent, source=Source.WEB), user_id=agent.pk, changes={"chat_capacity": 9}
        )
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(Invalid) as refused:
            update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": bad})
        assert [e.field for e in refused.value.errors] == ["chat_capacity"]
    assert not AgentAvailability.objects.filter(user=agent, chat_capacity__isnull=False).exists()

    update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 0})
    row = AgentAvailability.objects.get(user=agent)
    assert (row.chat_capacity, row.capacity) == (0, None)
