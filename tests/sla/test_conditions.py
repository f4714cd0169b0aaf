"""Every condition field and operator, on the facts of a ticket, and through real tickets."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from atiende.sla.conditions import TicketFacts, matches
from atiende.sla.selectors import timers_of
from atiende.sla.services.policies import create_policy
from atiende.tickets import services
from atiende.tickets.models import CustomFieldTarget
from atiende.tickets.services.config import create_custom_field
from tests.factories import SYSTEM, make_customer, make_org, make_ticket
from tests.sla.helpers import local, office, targets

FACTS = TicketFacts(
    priority="high",
    group=3,
    organization=7,
    customer=11,
    channel="email",
    type="incident",
    category=5,
    tags=frozenset({"vip", "billing"}),
    custom_fields={"plan": "gold", "seats": 40, "trial": False},
)


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ({"field": "priority", "op": "in", "value": ["high", "urgent"]}, True),
        ({"field": "priority", "op": "not_in", "value": ["high"]}, False),
        ({"field": "group", "op": "in", "value": [1, 3]}, True),
        ({"field": "group", "op": "not_in", "value": [3]}, False),
        ({"field": "organization", "op": "in", "value": [8]}, False),
        ({"field": "organization", "op": "not_in", "value": [8]}, True),
        ({"field": "customer", "op": "in", "value": [11]}, True),
        ({"field": "channel", "op": "in", "value": ["chat", "phone"]}, False),
        ({"field": "channel", "op": "not_in", "value": ["chat"]}, True),
        ({"field": "type", "op": "in", "value": ["incident"]}, True),
        ({"field": "category", "op": "in", "value": [5]}, True),
        ({"field": "category", "op": "not_in", "value": [5]}, False),
        ({"field": "tags", "op": "any", "value": ["vip", "press"]}, True),
        ({"field": "tags", "op": "any", "value": ["press"]}, False),
        ({"field": "tags", "op": "none", "value": ["press"]}, True),
        ({"field": "tags", "op": "none", "value": ["billing"]}, False),
        ({"field": "custom_field", "key": "plan", "op": "equals", "value": "gold"}, True),
        ({"field": "custom_field", "key": "seats", "op": "equals", "value": 41}, False),
        ({"field": "custom_field", "key": "trial", "op": "not_equals", "value": True}, True),
        ({"field": "custom_field", "key": "absent", "op": "equals", "value": None}, True),
    ],
)
def test_each_field_and_operator(clause: dict[str, Any], expected: bool) -> None:
    assert matches([clause], FACTS) is expected


def test_all_clauses_must_hold_and_none_is_everything() -> None:
    yes = {"field": "priority", "op": "in", "value": ["high"]}
    no = {"field": "tags", "op": "any", "value": ["press"]}
    assert matches([yes], FACTS) and not matches([yes, no], FACTS)
    assert matches([], FACTS)


@pytest.mark.django_db
def test_policies_match_real_tickets_in_order() -> None:
    office()
    vip = make_org("VIP Corp")
    create_custom_field(
        SYSTEM, target=CustomFieldTarget.TICKET, key="plan", type="text", name_en="Plan"
    )
    gold = create_policy(
        SYSTEM,
        name="Gold",
        order=1,
        conditions=[
            {"field": "organization", "op": "in", "value": [vip.pk]},
            {"field": "tags", "op": "any", "value": ["vip"]},
        ],
        targets=targets("normal", first_reply=10),
    )
    plan = create_policy(
        SYSTEM,
        name="Plan",
        order=2,
        conditions=[{"field": "custom_field", "key": "plan", "op": "equals", "value": "gold"}],
        targets=targets("normal", first_reply=20),
    )
    rest = create_policy(SYSTEM, name="Rest", order=3, targets=targets("normal", first_reply=60))
    with time_machine.travel(local(2026, 12, 7, 10), tick=False):
        ticket = make_ticket(make_customer(organization_id=vip.pk))
        assert {t.policy_id for t in timers_of(ticket.pk)} == {rest.pk}
        services.tag_ticket(SYSTEM, ticket_id=ticket.pk, add=["vip"])
        assert {t.policy_id for t in timers_of(ticket.pk)} == {gold.pk}
        other = make_ticket()
        services.update_ticket(
            SYSTEM, ticket_id=other.pk, version=None, changes={"custom_fields": {"plan": "gold"}}
        )
        assert {t.policy_id for t in timers_of(other.pk)} == {plan.pk}
