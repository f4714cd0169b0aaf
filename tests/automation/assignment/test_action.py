"""The ``assign`` action, as triggers and escalations run it: the rule's actor in the history."""

from __future__ import annotations

import pytest

from atiende.automation.actions import ActionContext, run_actions
from atiende.core.actor import Actor, Source
from atiende.tickets.selectors import ticket_events
from tests.automation.assignment.helpers import assignee_of, automatic_group, available_agent
from tests.factories import SYSTEM, make_group, make_ticket

pytestmark = pytest.mark.django_db

RULE = Actor(user=None, source=Source.RULE, detail="rule:5")


def test_assign_by_a_named_strategy_in_a_manual_group_names_the_rule() -> None:
    group = make_group()
    agent = available_agent(group)
    ticket = make_ticket(group_id=group.pk)
    assert assignee_of(ticket) is None

    run_actions(
        ActionContext(actor=RULE), ticket.pk, [{"type": "assign", "strategy": "least_load"}]
    )

    assert assignee_of(ticket) == agent.pk
    event = ticket_events(SYSTEM, ticket.pk).get(field="assignee")
    assert (event.source, event.source_detail) == ("rule", "rule:5")


def test_assign_by_the_groups_strategy_and_leave_an_assigned_ticket_alone() -> None:
    group = automatic_group("manual")
    available_agent(group)
    ticket = make_ticket(group_id=group.pk)
    run_actions(ActionContext(actor=RULE), ticket.pk, [{"type": "assign"}])
    assert assignee_of(ticket) is None  # the group is manual

    rr = automatic_group("round_robin")
    first, second = available_agent(rr), available_agent(rr)
    ticket = make_ticket(group_id=rr.pk)
    assert assignee_of(ticket) == first.pk
    run_actions(ActionContext(actor=RULE), ticket.pk, [{"type": "assign"}])
    assert assignee_of(ticket) == first.pk and second.pk != first.pk


def test_a_dry_run_says_what_it_would_do_and_changes_nothing() -> None:
    group = make_group()
    agent = available_agent(group)
    ticket = make_ticket(group_id=group.pk)
    context = ActionContext(actor=RULE, dry_run=True)
    run_actions(context, ticket.pk, [{"type": "assign", "strategy": "skills"}])
    run_actions(context, ticket.pk, [{"type": "assign"}])
    assert assignee_of(ticket) is None
    assert context.notes == [
        f"Assign by strategy skills: to agent #{agent.pk}.",
        "Assign by strategy group: nobody is available now.",
    ]
