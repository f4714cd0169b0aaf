"""Property: after any sequence of arrivals, solves, agents leaving and coming back and drains,
nobody holds more open tickets than their capacity, and a drained group leaves tickets
waiting only when every available member is full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.accounts.models import Group, User
from atiende.accounts.services import set_agent_status
from atiende.automation.assignment import engine
from atiende.automation.assignment.availability import available_agents
from atiende.core.actor import Actor, Source
from atiende.tickets import services as tickets
from atiende.tickets.models import ACTIVE_CATEGORIES, Ticket
from tests.automation.assignment.helpers import automatic_group, available_agent
from tests.factories import SYSTEM, make_customer

pytestmark = pytest.mark.django_db

Step = tuple[Any, ...]
arrivals = st.tuples(st.just("open"), st.integers(0, 1), st.sampled_from(["", "es"]))
steps = st.one_of(
    arrivals,
    arrivals,  # twice as likely: capacity is tested by arrivals
    st.tuples(st.just("solve"), st.integers(0, 30)),
    st.tuples(st.just("status"), st.integers(0, 3), st.sampled_from(["online", "offline"])),
    st.tuples(st.just("drain"), st.integers(0, 1)),
)
SPANISH = "Hola, no puedo entrar en mi cuenta desde ayer. ¿Me pueden ayudar, por favor?"


@dataclass
class World:
    groups: list[Group]
    agents: list[User]
    customer: User


@pytest.fixture
def world() -> World:
    first, second = automatic_group("least_load"), automatic_group("round_robin")
    agents = [
        available_agent(first, capacity=2, languages=["es"]),
        available_agent(first, second, capacity=1),  # shared by both groups
        available_agent(second, capacity=3, languages=["es"]),
        available_agent(second),  # no limit
    ]
    return World([first, second], agents, make_customer())


def run(world: World, step: Step) -> None:
    kind = step[0]
    if kind == "open":
        tickets.open_ticket(
            SYSTEM,
            subject="Arrival",
            body=SPANISH if step[2] else "ok",
            requester=world.customer,
            group_id=world.groups[step[1]].pk,
        )
    elif kind == "solve":
        active = list(Ticket.objects.filter(status__category__in=ACTIVE_CATEGORIES).order_by("pk"))
        if active:
            ticket = active[step[1] % len(active)]
            tickets.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
            engine.drain_groups([g.pk for g in world.groups])  # what the subscriber does
    elif kind == "status":
        agent = world.agents[step[1]]
        set_agent_status(Actor(user=agent, source=Source.WEB), user_id=agent.pk, status=step[2])
    else:
        engine.drain(world.groups[step[1]].pk)


def holding(agent: User) -> int:
    return Ticket.objects.filter(assignee=agent, status__category__in=ACTIVE_CATEGORIES).count()


def check(world: World, step: Step) -> None:
    capacities = {a.pk: a.availability.capacity for a in world.agents}
    for agent in world.agents:
        limit = capacities[agent.pk]
        assert limit is None or holding(agent) <= limit, step
    if step[0] in ("drain", "solve"):
        groups = world.groups if step[0] == "solve" else [world.groups[step[1]]]
        for group in groups:
            waiting = Ticket.objects.filter(
                group=group, assignee__isnull=True, status__category__in=ACTIVE_CATEGORIES
            ).exists()
            if waiting:
                for candidate in available_agents(group.pk, timezone.now()):
                    limit = candidate.capacity
                    assert limit is not None, step  # someone unlimited would have taken it
                    assert (
                        Ticket.objects.filter(
                            assignee_id=candidate.user_id, status__category__in=ACTIVE_CATEGORIES
                        ).count()
                        >= limit
                    ), step


def test_capacity_holds_and_drains_leave_nobody_idle(world: World) -> None:
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(steps, min_size=1, max_size=16))
    def program(drawn: list[Step]) -> None:
        rollback = transaction.savepoint_create()
        try:
            for step in drawn:
                run(world, step)
                check(world, step)
        finally:
            transaction.savepoint_rollback(rollback)
            for agent in world.agents:
                agent.refresh_from_db()

    program()
