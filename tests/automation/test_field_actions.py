"""Field actions: each sets its field through ``update_ticket`` in the rule's name, and each
validator refuses bad parameters naming the part."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from atiende.automation.actions import ActionContext, run_actions, validate_actions
from atiende.core.actor import Actor, Source
from atiende.core.errors import Invalid
from atiende.tickets.models import Category, CustomField, TicketEvent
from atiende.tickets.selectors import get_ticket
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket

pytestmark = pytest.mark.django_db

RULE = Actor(user=None, source=Source.RULE, detail="rule:7")


def run(ticket_id: int, *actions: dict[str, Any]) -> None:
    validate_actions(actions)
    run_actions(ActionContext(actor=RULE), ticket_id, actions)


def refused(*actions: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as caught:
        validate_actions(actions)
    return [e.field for e in caught.value.errors]


def test_set_status_priority_type_and_the_history_names_the_rule() -> None:
    ticket = make_ticket()
    run(
        ticket.pk,
        {"type": "set_status", "value": "pending"},
        {"type": "set_priority", "value": "urgent"},
        {"type": "set_type", "value": "incident"},
    )
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert (ticket.status.key, ticket.priority.key, ticket.type) == (
        "pending",
        "urgent",
        "incident",
    )
    events = TicketEvent.objects.filter(ticket=ticket, field__in=["status", "priority", "type"])
    assert {(e.field, e.source, e.source_detail) for e in events} == {
        ("status", "rule", "rule:7"),
        ("priority", "rule", "rule:7"),
        ("type", "rule", "rule:7"),
    }


def test_raise_priority_only_raises() -> None:
    low = make_ticket()
    urgent = make_ticket(priority="urgent")
    for ticket in (low, urgent):
        run(ticket.pk, {"type": "raise_priority", "value": "high"})
    assert get_ticket(SYSTEM, low.pk).priority.key == "high"
    assert get_ticket(SYSTEM, urgent.pk).priority.key == "urgent"
    assert not TicketEvent.objects.filter(ticket=urgent, field="priority").exists()


def test_set_group_assignee_and_clear_them() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket()
    run(
        ticket.pk,
        {"type": "set_group", "value": group.pk},
        {"type": "set_assignee", "value": agent.pk},
    )
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert (ticket.group_id, ticket.assignee_id) == (group.pk, agent.pk)
    run(ticket.pk, {"type": "set_assignee", "value": None}, {"type": "set_group", "value": None})
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert (ticket.group_id, ticket.assignee_id) == (None, None)


def test_set_category_and_custom_field() -> None:
    category = Category.objects.create(name_en="Billing", name_es="Facturación")
    CustomField.objects.create(
        target="ticket",
        key="plan",
        type="select",
        options=["free", "pro"],
        name_en="Plan",
        name_es="Plan",
    )
    CustomField.objects.create(
        target="ticket", key="order", type="number", name_en="Order", name_es="Pedido"
    )
    ticket = make_ticket(custom_fields={"order": 3})
    run(
        ticket.pk,
        {"type": "set_category", "value": category.pk},
        {"type": "set_field", "field": "plan", "value": "pro"},
    )
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert ticket.category_id == category.pk
    assert ticket.custom_fields == {"order": 3, "plan": "pro"}


def test_dry_run_describes_and_changes_nothing() -> None:
    ticket = make_ticket()
    context = ActionContext(actor=RULE, dry_run=True)
    run_actions(context, ticket.pk, [{"type": "set_status", "value": "pending"}])
    assert get_ticket(SYSTEM, ticket.pk).status.key == "new"
    assert context.notes


def test_bad_parameters_are_refused_naming_the_part() -> None:
    group = make_group()
    gone = make_group()
    gone.is_active = False
    gone.save()
    customer = make_customer()
    CustomField.objects.create(
        target="ticket", key="order", type="number", name_en="Order", name_es="Pedido"
    )
    assert refused(
        {"type": "set_status", "value": "nope"},
        {"type": "set_priority", "value": "extreme"},
        {"type": "raise_priority"},
        {"type": "set_group", "value": gone.pk},
        {"type": "set_group", "value": "1"},
        {"type": "set_assignee", "value": customer.pk},
        {"type": "set_assignee", "value": 999_999},
        {"type": "set_type", "value": "bug"},
        {"type": "set_category", "value": 999_999},
        {"type": "set_field", "field": "nope", "value": 1},
        {"type": "set_field", "field": "order", "value": "many"},
        {"type": "set_field", "field": "order"},
        {"type": "set_group", "value": group.pk},
    ) == [
        "actions[0].value",
        "actions[1].value",
        "actions[2].value",
        "actions[3].value",
        "actions[4].value",
        "actions[5].value",
        "actions[6].value",
        "actions[7].value",
        "actions[8].value",
        "actions[9].field",
        "actions[10].value",
        "actions[11].value",
    ]


def test_a_failing_action_leaves_nothing_half_applied() -> None:
    group = make_group()
    ticket = make_ticket()
    outsider = make_agent(make_group())
    actions = [
        {"type": "set_status", "value": "pending"},
        {"type": "set_group", "value": group.pk},
        {"type": "set_assignee", "value": outsider.pk},
    ]
    with pytest.raises(Invalid), transaction.atomic():
        run_actions(ActionContext(actor=RULE), ticket.pk, actions)
    ticket = get_ticket(SYSTEM, ticket.pk)
    assert (ticket.status.key, ticket.group_id) == ("new", None)
