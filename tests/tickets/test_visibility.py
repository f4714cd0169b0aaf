"""The one visibility rule: its SQL form and its in-memory form agree, for every kind of user
and every kind of ticket (and for scopes hypothesis makes up)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atiende.accounts import services as accounts
from atiende.accounts.models import Group, Role, User
from atiende.realtime.access import may_receive
from atiende.realtime.models import LiveEvent
from atiende.tickets import planning, visibility
from atiende.tickets.listing import TicketFilters, filter_tickets
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import can_see_ticket, visible_tallies, visible_tickets
from atiende.tickets.visibility import ROUTING, load_viewers, scope_for, scope_of
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
    web,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    groups: list[Group]
    users: dict[str, User]
    tickets: list[Ticket]


def _verified(user: User) -> User:
    user.email_verified_at = timezone.now()
    user.save()
    return user


@pytest.fixture
def world() -> World:
    one, two, three = make_group("One"), make_group("Two"), make_group("Three")
    make_org("Acme", domains=("acme.test",), shared=True)
    make_org("Closed", domains=("closed.test",), shared=False)
    users = {
        "admin": make_admin(),
        # Every agent may be assigned anywhere at first; their groups shrink below, leaving
        # them assigned to tickets of groups they are no longer in.
        "agent_one": make_agent(one, two, three),
        "agent_both": make_agent(one, two, three),
        "agent_none": make_agent(one, two, three),
        "ana": make_customer(email="ana@acme.test"),
        "luis_verified": _verified(make_customer(email="luis@acme.test")),
        "eva_unverified": make_customer(email="eva@acme.test"),
        "olga_closed_org": _verified(make_customer(email="olga@closed.test")),
        "pepe_no_org": make_customer(email="pepe@example.test"),
    }
    suspended = make_agent(one, two)
    suspended.is_active = False
    suspended.save()
    users["suspended_agent"] = suspended
    fired = make_admin()
    fired.is_active = False
    fired.save()
    users["suspended_admin"] = fired
    requesters = [users[k] for k in ("ana", "luis_verified", "olga_closed_org", "pepe_no_org")]
    assignees = [None, users["agent_one"], users["agent_none"], users["agent_both"]]
    tickets = [
        make_ticket(
            requester,
            group_id=group.pk if group else None,
            assignee_id=assignee.pk if assignee else None,
        )
        for requester, group, assignee in itertools.product(
            requesters, [None, one, two, three], assignees
        )
    ]
    for name, kept in (("agent_one", [one]), ("agent_both", [one, two]), ("agent_none", [])):
        accounts.update_user(
            SYSTEM, user_id=users[name].pk, changes={"group_ids": [g.pk for g in kept]}
        )
        users[name] = User.objects.get(pk=users[name].pk)
    return World([one, two, three], users, tickets)


def _row(ticket: Ticket) -> dict[str, int | None]:
    return {column: getattr(ticket, column) for column in ROUTING}


def test_the_sql_filter_and_the_in_memory_rule_admit_the_same_tickets(world: World) -> None:
    viewers = load_viewers(u.pk for u in world.users.values())
    for name, user in world.users.items():
        actor = web(User.objects.get(pk=user.pk))  # a fresh object: no memo from the setup
        in_sql = set(visible_tickets(actor).values_list("pk", flat=True))
        scope = scope_for(actor.user)
        in_memory = {t.pk for t in world.tickets if scope.admits_ticket(t)}
        assert in_sql == in_memory, name
        # The same scope read in bulk (live hub, notifications) and per ticket.
        assert {t.pk for t in world.tickets if viewers[user.pk].scope.admits_row(_row(t))} == (
            in_memory
        ), name
        assert {t.pk for t in world.tickets if can_see_ticket(actor.user, t)} == in_memory, name
        # The list, with and without SQLite's hints, shows the same tickets.
        listed = set(filter_tickets(actor, TicketFilters()).values_list("pk", flat=True))
        assert listed == in_memory, name


def test_expected_memberships(world: World) -> None:
    """A few cells of the matrix spelled out, so that "both agree" cannot mean "both wrong"."""
    one, two, three = world.groups
    visible = {
        name: set(visible_tickets(web(user)).values_list("pk", flat=True))
        for name, user in world.users.items()
    }
    everyone = {t.pk for t in world.tickets}
    assert visible["admin"] == everyone
    assert visible["suspended_agent"] == visible["suspended_admin"] == set()
    agent_one = world.users["agent_one"]
    assert visible["agent_one"] == {
        t.pk for t in world.tickets if t.group_id in (None, one.pk) or t.assignee_id == agent_one.pk
    }
    both = world.users["agent_both"]
    assert {t.group_id for t in world.tickets if t.pk in visible["agent_both"]} == {
        None,
        one.pk,
        two.pk,
        three.pk,  # only where assigned to them
    }
    assert all(
        t.assignee_id == both.pk
        for t in world.tickets
        if t.pk in visible["agent_both"] and t.group_id == three.pk
    )
    ana, luis = world.users["ana"], world.users["luis_verified"]
    acme = {t.pk for t in world.tickets if t.requester_id in (ana.pk, luis.pk)}
    assert visible["luis_verified"] == acme
    assert visible["ana"] == {t.pk for t in world.tickets if t.requester_id == ana.pk}
    assert visible["eva_unverified"] == set()
    olga = world.users["olga_closed_org"]
    assert visible["olga_closed_org"] == {t.pk for t in world.tickets if t.requester_id == olga.pk}


def test_the_listing_hints_change_the_spelling_not_the_answer(world: World) -> None:
    """On SQLite a broad scope is read on unindexed columns: the same tickets either way."""
    agent = web(world.users["agent_both"])
    assert planning.read_in_order(scope_for(agent.user)) == planning.needs_hints()
    assert set(filter_tickets(agent, TicketFilters()).values_list("pk", flat=True)) == set(
        visible_tickets(agent).values_list("pk", flat=True)
    )


def test_tallies_follow_the_same_scope(world: World) -> None:
    for name, user in world.users.items():
        actor = web(user)
        counted = sum(t.count for t in visible_tallies(actor))
        expected = visible_tickets(actor).count() if user.is_agent and user.is_active else 0
        assert counted == expected, name


def test_staff_seeing_is_the_rule_read_backwards(world: World) -> None:
    scopes = load_viewers(u.pk for u in world.users.values())
    for ticket in world.tickets:
        found = set(
            User.objects.filter(
                visibility.staff_seeing(group_id=ticket.group_id, assignee_id=ticket.assignee_id)
            ).values_list("pk", flat=True)
        )
        expected = {pk for pk, v in scopes.items() if v.is_staff and v.scope.admits_ticket(ticket)}
        assert found == expected, ticket.pk


def test_live_events_reach_who_sees_the_ticket(world: World) -> None:
    viewers = load_viewers(u.pk for u in world.users.values())
    for ticket in world.tickets:
        event = LiveEvent(
            type="ticket.updated",
            ticket_id=ticket.pk,
            group_id=ticket.group_id,
            assignee_id=ticket.assignee_id,
            requester_id=ticket.requester_id,
        )
        for user in world.users.values():
            expected = user.is_active and user.is_agent and can_see_ticket(user, ticket)
            assert may_receive(viewers[user.pk], event, watching=None) == expected


ROLES = st.sampled_from([Role.ADMIN, Role.AGENT, Role.CUSTOMER, "robot"])


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    role=ROLES,
    active=st.booleans(),
    who=st.integers(min_value=0, max_value=10),
    groups=st.sets(st.integers(min_value=0, max_value=3), max_size=3),
    shared=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
)
def test_any_scope_agrees_with_itself_in_sql(
    world: World, role: str, active: bool, who: int, groups: set[int], shared: int | None
) -> None:
    """Scopes made up from any role, groups and organization: SQL and memory agree."""
    users = list(world.users.values())
    orgs = sorted({t.organization_id for t in world.tickets if t.organization_id is not None})
    group_pks = [g.pk for g in world.groups] + [999_999]
    scope = scope_of(
        user_id=users[who].pk,
        role=role,
        is_active=active,
        group_ids=[group_pks[i] for i in groups],
        shared_organization_id=None if shared is None else [*orgs, 999_999][shared % 3],
    )
    in_sql = set(scope.filter(Ticket.objects.all()).values_list("pk", flat=True))
    assert in_sql == {t.pk for t in world.tickets if scope.admits_ticket(t)}


@pytest.mark.parametrize("kwargs", [{}, {"value": 1, "empty": True}, {"value": 1, "values": (1,)}])
def test_a_clause_takes_exactly_one_form(kwargs: dict[str, object]) -> None:
    """A clause with no form would be ``= NULL`` in memory but ``IS NULL`` in SQL: refused."""
    with pytest.raises(ValueError, match="exactly one"):
        visibility.Clause("group_id", **kwargs)  # type: ignore[arg-type]  # bad on purpose
