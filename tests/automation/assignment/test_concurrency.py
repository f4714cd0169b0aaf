"""Fifty tickets arriving at once on PostgreSQL: nobody is pushed past capacity, and every
ticket is either assigned or left waiting when everybody is full."""

from __future__ import annotations

import pytest
from django.db import connection

from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from tests.api.test_concurrency import run_together
from tests.automation.assignment.helpers import automatic_group, available_agent
from tests.factories import SYSTEM, make_customer

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("concurrency"),
]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers already; the race exists only on PostgreSQL")


def arrive(group_ids: list[int], count: int) -> list[object]:
    customers = [make_customer() for _ in range(count)]

    def work(i: int) -> int:
        ticket = tickets.open_ticket(
            SYSTEM,
            subject=f"Arrival {i}",
            body="Everything is down.",
            requester=customers[i],
            group_id=group_ids[i % len(group_ids)],
        )
        return int(ticket.pk)

    return run_together(count, work)


def loads() -> dict[int | None, int]:
    counts: dict[int | None, int] = {}
    for assignee_id in Ticket.objects.values_list("assignee_id", flat=True):
        counts[assignee_id] = counts.get(assignee_id, 0) + 1
    return counts


@pytest.mark.parametrize("strategy", ["least_load", "round_robin"])
def test_fifty_arrivals_never_push_an_agent_past_capacity(strategy: str) -> None:
    group = automatic_group(strategy)
    agents = [available_agent(group, capacity=c) for c in (10, 10, 5)]

    results = arrive([group.pk], 50)

    assert all(isinstance(r, int) for r in results), results
    got = loads()
    assert {a.pk: got.get(a.pk, 0) for a in agents} == {
        agents[0].pk: 10,
        agents[1].pk: 10,
        agents[2].pk: 5,
    }
    assert got.get(None, 0) == 25  # the rest wait for room


def test_an_agent_in_two_groups_is_not_overfilled_by_both_at_once() -> None:
    first, second = automatic_group("least_load"), automatic_group("round_robin")
    shared = available_agent(first, second, capacity=7)

    results = arrive([first.pk, second.pk], 50)

    assert all(isinstance(r, int) for r in results), results
    got = loads()
    assert got.get(shared.pk, 0) == 7 and got.get(None, 0) == 43
