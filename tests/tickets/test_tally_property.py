"""Property: after any sequence of ticket service calls, every tally equals a full recount.

Hypothesis draws short programs of service calls: opening tickets, single and several-field
updates (status, group, assignee), customer replies that reopen, ticket merges, customer merges
(which reassign requesters), deletes, a bulk step (``update_ticket`` over several tickets in
one transaction, each in its own savepoint as a bulk action keeps per-ticket failures apart)
and the bulk service itself (``tickets.services.bulk``: assign, status, close, merge).
Refused calls (a forbidden transition, an assignee outside the group, a closed ticket) are part
of the programs too: a refusal must leave the counts alone. Each program runs in a savepoint
rolled back afterwards; the examples stay small so the test runs in seconds.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.accounts.models import Group, User
from atiende.accounts.services import merge_customers
from atiende.core.errors import AtiendeError
from atiende.tickets import services, tally
from atiende.tickets.models import Ticket, TicketTally
from atiende.tickets.services.bulk import BulkChange, bulk_update
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, web

pytestmark = pytest.mark.django_db

STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed", "cancelled")
Step = tuple[Any, ...]


@dataclass
class World:
    """What the programs pick from: indexes into these lists, taken modulo their length."""

    groups: list[Group]
    agents: list[User]  # one per group, and an admin who may work anywhere
    customers: list[User]
    tickets: list[int]


def recount() -> Counter[tuple[int, int, int]]:
    """The truth: tickets grouped by (status, group, assignee) through the ORM."""
    grouped = (
        Ticket.objects.annotate(g=Coalesce("group_id", 0), a=Coalesce("assignee_id", 0))
        .values_list("status_id", "g", "a")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({(s, g, a): n for s, g, a, n in grouped})


def tallied() -> Counter[tuple[int, int, int]]:
    rows = TicketTally.objects.exclude(count=0)
    return Counter({(r.status_id, r.group_key, r.assignee_key): r.count for r in rows})


group_choice = st.one_of(st.none(), st.integers(0, 1))
assignee_choice = st.one_of(st.none(), st.integers(0, 2))
changes = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(STATUSES),
        "group": group_choice,
        "assignee": assignee_choice,
    },
).filter(bool)
ticket = st.integers(0, 7)
steps = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 2), group_choice, assignee_choice),
    st.tuples(st.just("update"), ticket, changes),
    st.tuples(st.just("reply"), ticket),
    st.tuples(st.just("merge_tickets"), ticket, ticket),
    st.tuples(st.just("merge_customers"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("delete"), ticket),
    st.tuples(st.just("bulk"), st.lists(ticket, min_size=2, max_size=4), changes),
    st.tuples(
        st.just("bulk_service"),
        st.lists(ticket, min_size=2, max_size=4),
        st.one_of(
            st.tuples(st.just("status"), st.sampled_from(STATUSES)),
            st.tuples(st.just("assign"), assignee_choice),
            st.tuples(st.just("close")),
            st.tuples(st.just("merge"), ticket),
        ),
    ),
)


def _id(world: World, index: int) -> int:
    return world.tickets[index % len(world.tickets)] if world.tickets else 0


def _changes(world: World, drawn: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "status" in drawn:
        found["status"] = drawn["status"]
    if "group" in drawn:
        found["group_id"] = None if drawn["group"] is None else world.groups[drawn["group"]].pk
    if "assignee" in drawn:
        pick = drawn["assignee"]
        found["assignee_id"] = None if pick is None else world.agents[pick].pk
    return found


def _open(world: World, customer: int, group: int | None, assignee: int | None) -> None:
    requester = world.customers[customer]
    if not User.objects.get(pk=requester.pk).is_active:
        return  # merged away: nobody opens tickets for a retired record
    opened = services.open_ticket(
        SYSTEM,
        subject="Printer",
        body="It jams.",
        requester=requester,
        group_id=None if group is None else world.groups[group].pk,
        assignee_id=None if assignee is None else world.agents[assignee].pk,
    )
    world.tickets.append(opened.pk)


def _reply(world: World, index: int) -> None:
    found = Ticket.objects.filter(pk=_id(world, index)).select_related("requester").first()
    if found is not None:  # the requester writes back: a pending or solved ticket reopens
        services.add_message(web(found.requester), ticket_id=found.pk, body="Still broken.")


def _bulk(world: World, indexes: list[int], drawn: dict[str, Any]) -> None:
    """One transaction, one savepoint per ticket, moves written once at the end."""
    with transaction.atomic(), tally.deferred():
        for index in dict.fromkeys(indexes):
            try:
                services.update_ticket(
                    SYSTEM,
                    ticket_id=_id(world, index),
                    version=None,
                    changes=_changes(world, drawn),
                )
            except AtiendeError:
                continue  # this ticket refused; the others go on


def _bulk_service(world: World, indexes: list[int], action: tuple[Any, ...]) -> None:
    """The workspace's and the API's bulk service: per-ticket atomic blocks, no outer one."""
    kind, *value = action
    change = BulkChange(kind)
    if kind == "status":
        change = BulkChange(kind, status=value[0])
    elif kind == "assign":
        change = BulkChange(
            kind, assignee_id=None if value[0] is None else world.agents[value[0]].pk
        )
    elif kind == "merge":
        change = BulkChange(kind, merge_target_id=_id(world, value[0]))
    bulk_update(web(world.agents[2]), ticket_ids=[_id(world, i) for i in indexes], change=change)


def run(world: World, step: Step) -> None:
    kind, *args = step
    admin = web(world.agents[2])
    calls: dict[str, Callable[[], object]] = {
        "open": lambda: _open(world, *args),
        "update": lambda: services.update_ticket(
            SYSTEM, ticket_id=_id(world, args[0]), version=None, changes=_changes(world, args[1])
        ),
        "reply": lambda: _reply(world, args[0]),
        "merge_tickets": lambda: services.merge_tickets(
            admin, source_id=_id(world, args[0]), target_id=_id(world, args[1])
        ),
        "merge_customers": lambda: merge_customers(
            admin, source_id=world.customers[args[0]].pk, target_id=world.customers[args[1]].pk
        ),
        "delete": lambda: services.delete_ticket(admin, ticket_id=_id(world, args[0])),
        "bulk": lambda: _bulk(world, args[0], args[1]),
        "bulk_service": lambda: _bulk_service(world, args[0], args[1]),
    }
    with contextlib.suppress(AtiendeError):  # refused: the counts must not move either
        calls[kind]()


@pytest.fixture
def world() -> World:
    groups = [make_group(), make_group()]
    agents = [make_agent(groups[0]), make_agent(groups[1]), make_admin()]
    customers = [make_customer() for _ in range(3)]
    return World(groups, agents, customers, [])


def test_every_tally_equals_a_recount_after_any_sequence_of_service_calls(world: World) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        database=None,  # no example files in the worktree
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(steps, min_size=1, max_size=8))
    def program(drawn: list[Step]) -> None:
        rollback = transaction.savepoint_create()
        try:
            for customer in world.customers:  # merges change them; read them fresh
                customer.refresh_from_db()
            world.tickets = []
            for n in range(3):
                _open(world, n, n % 2 if n else None, None)
            for step in drawn:
                run(world, step)
                assert tallied() == recount(), step
                assert not TicketTally.objects.filter(count__lt=0).exists(), step
        finally:
            transaction.savepoint_rollback(rollback)

    program()
