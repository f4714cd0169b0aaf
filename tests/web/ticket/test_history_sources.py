"""The ticket history names what acted by itself: the rule, the SLA policy, the assignment's
group or the macro (and who applied it), by the actor detail of each automatic change; a
deleted rule reads "deleted rule #12"; the names cost one query per kind, not per entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.automation.macros.services import apply_macro, create_macro
from atiende.automation.triggers.services import create_trigger, delete_trigger
from atiende.core.actor import Actor, Source
from atiende.tickets import services
from atiende.tickets.models import Ticket
from tests.factories import SYSTEM, make_ticket, web
from tests.sla.helpers import office, standard_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rules() -> Iterator[None]:
    """No other test's (rolled back) compiled rules."""
    from atiende.automation.timed import cache as timed_cache
    from atiende.automation.triggers import cache

    cache.clear()
    timed_cache.clear()
    yield
    cache.clear()
    timed_cache.clear()


def history(client: Client, ticket: Ticket) -> list[str]:
    response = client.get(reverse("ticket", args=[ticket.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r'class="event-text">(.*?)<', html)]


def vip_rule() -> Any:
    return create_trigger(
        SYSTEM,
        name="VIP priority",
        conditions={"all": [{"field": "event.kind", "operator": "is", "value": "created"}]},
        actions=[{"type": "set_priority", "value": "high"}],
    )


def test_a_rule_change_names_the_rule(
    group: Group, agent: User, customer: User, client_for: Any
) -> None:
    vip_rule()
    ticket = make_ticket(customer, group_id=group.pk)
    lines = history(client_for(agent), ticket)
    assert any(line.startswith("Rule “VIP priority” ") and "High" in line for line in lines), lines


def test_a_deleted_rule_reads_as_deleted_with_its_id(
    group: Group, agent: User, customer: User, client_for: Any
) -> None:
    rule = vip_rule()
    ticket = make_ticket(customer, group_id=group.pk)
    delete_trigger(SYSTEM, trigger_id=rule.pk)
    lines = history(client_for(agent), ticket)
    assert any(line.startswith(f"deleted rule #{rule.pk} ") for line in lines), lines


def test_a_macro_names_itself_and_the_agent_who_applied_it(
    group: Group, agent: User, ticket: Ticket, client_for: Any
) -> None:
    macro = create_macro(
        web(agent), name="Refund", actions=[{"type": "set_priority", "value": "urgent"}]
    )
    apply_macro(web(agent), ticket_id=ticket.pk, macro_id=macro.pk, version=None)
    lines = history(client_for(agent), ticket)
    name = agent.display_name
    assert any(line.startswith(f"Macro “Refund” applied by {name} ") for line in lines), lines


def test_sla_and_assignment_changes_name_the_policy_and_the_group(
    group: Group, agent: User, ticket: Ticket, client_for: Any
) -> None:
    office()
    policy = standard_policy(name="Gold")
    sla = Actor(user=None, source=Source.RULE, detail=f"sla:{policy.pk}")
    services.update_ticket(sla, ticket_id=ticket.pk, version=None, changes={"priority": "high"})
    assigning = Actor(user=None, source=Source.RULE, detail=f"assignment:{group.pk}")
    services.assign_ticket(assigning, ticket_id=ticket.pk, assignee_id=agent.pk)
    lines = history(client_for(agent), ticket)
    assert any(line.startswith("SLA policy “Gold” ") for line in lines), lines
    assert any(line.startswith(f"Assignment in group “{group.name}” ") for line in lines), lines


def test_names_cost_one_query_per_kind_not_per_entry(
    group: Group,
    agent: User,
    customer: User,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    vip_rule()
    ticket = make_ticket(customer, group_id=group.pk)
    client = client_for(agent)
    history(client, ticket)  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        history(client, ticket)
    other = Actor(user=None, source=Source.RULE, detail="rule:999999")
    for subject in ("a", "b", "c", "d"):
        services.update_ticket(
            other, ticket_id=ticket.pk, version=None, changes={"subject": subject}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        lines = history(client, ticket)
    assert sum(line.startswith("deleted rule #999999 ") for line in lines) == 4
