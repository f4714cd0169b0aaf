"""Each strategy, through a real new ticket: round robin takes turns, least load evens out,
skills and language pick who covers the ticket, affinity prefers the customer's last agent."""

from __future__ import annotations

import pytest

from atiende.accounts.services import set_agent_status
from atiende.automation.assignment.config import configure_assignment
from atiende.core.actor import Actor, Source
from atiende.tickets import services as tickets
from atiende.tickets.models import Category
from atiende.tickets.selectors import ticket_events
from tests.automation.assignment.helpers import (
    ADMIN,
    assignee_of,
    automatic_group,
    available_agent,
    config,
)
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db

SPANISH = "Hola, no puedo entrar en mi cuenta desde ayer. ¿Me pueden ayudar, por favor?"
ENGLISH = "Hello, I cannot sign in to my account since yesterday. Can you help me, please?"


def test_a_manual_group_leaves_new_tickets_unassigned() -> None:
    group = make_group()
    available_agent(group)
    assert assignee_of(make_ticket(group_id=group.pk)) is None

    manual = automatic_group("manual")
    available_agent(manual)
    assert assignee_of(make_ticket(group_id=manual.pk)) is None


def test_round_robin_takes_turns_and_keeps_its_cursor_in_the_group_row() -> None:
    group = automatic_group("round_robin")
    agents = [available_agent(group) for _ in range(3)]

    got = [assignee_of(make_ticket(group_id=group.pk)) for _ in range(7)]

    ids = [a.pk for a in agents]
    assert got == [*ids, *ids, ids[0]]
    assert config(group).last_assigned_id == ids[0]


def test_round_robin_is_fair_over_many_tickets() -> None:
    group = automatic_group("round_robin")
    agents = [available_agent(group) for _ in range(4)]
    got = [assignee_of(make_ticket(group_id=group.pk)) for _ in range(20)]
    assert sorted(got.count(a.pk) for a in agents) == [5, 5, 5, 5]


def test_the_assignment_is_in_the_history_named_after_the_group() -> None:
    group = automatic_group("round_robin")
    agent = available_agent(group)
    ticket = make_ticket(group_id=group.pk)

    event = ticket_events(SYSTEM, ticket.pk).get(field="assignee")
    assert event.source == Source.RULE and event.source_detail == f"assignment:{group.pk}"
    assert event.new_value == {"id": agent.pk, "name": agent.display_name}


def test_least_load_gives_to_the_agent_with_fewest_open_tickets() -> None:
    group = automatic_group("least_load")
    busy, free = available_agent(group), available_agent(group)
    # The busy agent already holds two open tickets, in another group too: load is global.
    other = make_group()
    busy.groups.add(other)
    for _ in range(2):
        tickets.open_ticket(
            SYSTEM,
            subject="x",
            body="y",
            requester=make_customer(),
            group_id=other.pk,
            assignee_id=busy.pk,
        )

    got = [assignee_of(make_ticket(group_id=group.pk)) for _ in range(4)]

    assert got[:2] == [free.pk, free.pk]  # until they are even...
    assert sorted(got[2:]) == sorted([busy.pk, free.pk])  # ...then they take turns


def test_solved_tickets_do_not_count_as_load() -> None:
    group = automatic_group("least_load")
    first, second = available_agent(group), available_agent(group)
    ticket = make_ticket(group_id=group.pk)
    assert assignee_of(ticket) == first.pk
    tickets.change_status(ADMIN, ticket_id=ticket.pk, status="solved")

    assert assignee_of(make_ticket(group_id=group.pk)) == second.pk  # the round goes on
    assert assignee_of(make_ticket(group_id=group.pk)) == first.pk  # 0 open each: next turn


def test_skills_pick_the_agent_covering_the_tags_or_category() -> None:
    group = automatic_group("skills")
    category = Category.objects.create(name_en="Billing", name_es="Facturación")
    generalist = available_agent(group)
    billing = available_agent(group, skill_tags=["invoice"], skill_categories=[category.pk])
    printers = available_agent(group, skill_tags=["printer", "toner"])

    assert assignee_of(make_ticket(group_id=group.pk, tags=["toner"])) == printers.pk
    assert assignee_of(make_ticket(group_id=group.pk, category_id=category.pk)) == billing.pk
    assert assignee_of(make_ticket(group_id=group.pk, tags=["Invoice"])) == billing.pk
    # Nobody covers it: any available agent, by load.
    assert assignee_of(make_ticket(group_id=group.pk, tags=["garden"])) == generalist.pk


@pytest.mark.parametrize("strategy", ["least_load", "round_robin", "skills"])
def test_a_spanish_ticket_goes_to_the_spanish_speaking_agent(strategy: str) -> None:
    group = automatic_group(strategy)
    english = available_agent(group, languages=["en"])
    spanish = available_agent(group, languages=["es", "en"])
    available_agent(group, languages=["pt"])

    for _ in range(3):
        assert assignee_of(make_ticket(group_id=group.pk, body=SPANISH)) == spanish.pk
    assert assignee_of(make_ticket(group_id=group.pk, body=ENGLISH)) in (english.pk, spanish.pk)


def test_language_matching_can_be_switched_off_and_falls_back_when_nobody_speaks_it() -> None:
    group = automatic_group("round_robin", match_language=False)
    agents = [available_agent(group, languages=["es"]), available_agent(group, languages=["en"])]
    got = {assignee_of(make_ticket(group_id=group.pk, body=SPANISH)) for _ in range(2)}
    assert got == {a.pk for a in agents}

    nobody = automatic_group("least_load")
    english = available_agent(nobody, languages=["en"])
    assert assignee_of(make_ticket(group_id=nobody.pk, body=SPANISH)) == english.pk


def test_affinity_prefers_the_customers_last_agent_and_falls_back_when_unavailable() -> None:
    group = automatic_group("affinity", fallback="least_load")
    first, second = available_agent(group), available_agent(group)
    customer = make_customer()
    opened = make_ticket(customer, group_id=group.pk, assignee_id=second.pk)
    assert assignee_of(opened) == second.pk

    assert assignee_of(make_ticket(customer, group_id=group.pk)) == second.pk  # affinity
    assert assignee_of(make_ticket(group_id=group.pk)) == first.pk  # a stranger: least load

    set_agent_status(Actor(user=second, source=Source.WEB), user_id=second.pk, status="offline")
    assert assignee_of(make_ticket(customer, group_id=group.pk)) == first.pk  # fallback


def test_capacity_is_never_exceeded_and_full_groups_leave_tickets_unassigned() -> None:
    group = automatic_group("round_robin")
    small, large = available_agent(group, capacity=1), available_agent(group, capacity=2)

    got = [assignee_of(make_ticket(group_id=group.pk)) for _ in range(5)]

    assert got == [small.pk, large.pk, large.pk, None, None]


def test_a_zero_capacity_agent_gets_nothing() -> None:
    group = automatic_group("least_load")
    available_agent(group, capacity=0)
    assert assignee_of(make_ticket(group_id=group.pk)) is None


def test_a_ticket_moved_into_an_automatic_group_unassigned_is_assigned() -> None:
    group = automatic_group("round_robin")
    agent = available_agent(group)
    ticket = make_ticket(group_id=make_group().pk)
    assert assignee_of(ticket) is None

    tickets.update_ticket(ADMIN, ticket_id=ticket.pk, version=None, changes={"group_id": group.pk})

    assert assignee_of(ticket) == agent.pk


def test_a_ticket_opened_with_an_assignee_keeps_it() -> None:
    group = automatic_group("round_robin")
    available_agent(group)
    chosen = make_agent(group)
    assert assignee_of(make_ticket(group_id=group.pk, assignee_id=chosen.pk)) == chosen.pk


def test_reconfiguring_changes_the_strategy() -> None:
    group = automatic_group("manual")
    agent = available_agent(group)
    configure_assignment(ADMIN, group_id=group.pk, strategy="least_load")
    assert assignee_of(make_ticket(group_id=group.pk)) == agent.pk


def test_a_spanish_email_to_an_automatic_group_goes_to_the_spanish_speaker() -> None:
    from atiende.messaging.models import InboundState
    from tests.messaging.mail import build, deliver, make_mailbox

    group = automatic_group("least_load")
    available_agent(group, languages=["en"])
    spanish = available_agent(group, languages=["es"])
    mailbox = make_mailbox(group=group)

    row = deliver(
        build(subject="Urgente", body="urgente: el sistema está caído desde ayer"), mailbox
    )

    assert row.state == InboundState.PROCESSED and row.ticket is not None
    assert assignee_of(row.ticket) == spanish.pk
    event = ticket_events(SYSTEM, row.ticket.pk).get(field="assignee")
    assert event.source_detail == f"assignment:{group.pk}"
