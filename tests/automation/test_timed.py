"""Time-based rules: due timestamps kept by the ticket's events, fired by the minute sweep
once per episode, and again after a new episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from atiende.automation.actions import action_types
from atiende.automation.models import TimedRule, TimedRuleDue
from atiende.automation.timed.services import (
    create_timed_rule,
    delete_timed_rule,
    update_timed_rule,
)
from atiende.automation.timed.sweep import run_due
from atiende.core.errors import Forbidden, Invalid
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket, TicketEvent
from tests.factories import SYSTEM, make_agent, make_customer, make_ticket, web

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
NOTE = [{"type": "add_note", "body": "reminder"}]


def notes(ticket: Ticket) -> int:
    return Message.objects.filter(ticket=ticket, public=False, body_text="reminder").count()


def status(ticket: Ticket, key: str) -> None:
    tickets.change_status(SYSTEM, ticket_id=ticket.pk, status=key)


def test_pending_for_two_days_fires_once_per_episode(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    rule = create_timed_rule(
        SYSTEM,
        name="Pending 2 days",
        condition="status",
        status_category="pending",
        minutes=2 * 24 * 60,
        actions=NOTE,
    )
    ticket = make_ticket()
    status(ticket, "pending")
    time_machine.move_to(T0 + timedelta(days=2, minutes=-1), tick=False)
    assert run_due() == 0
    time_machine.move_to(T0 + timedelta(days=2), tick=False)
    assert run_due() == 1
    assert notes(ticket) == 1
    time_machine.move_to(T0 + timedelta(days=5), tick=False)
    assert run_due() == 0  # still the same episode
    tickets.update_ticket(SYSTEM, ticket_id=ticket.pk, version=None, changes={"priority": "high"})
    assert run_due() == 0
    status(ticket, "open")
    status(ticket, "pending")  # a new episode
    time_machine.move_to(T0 + timedelta(days=7), tick=False)
    assert run_due() == 1
    assert notes(ticket) == 2
    due = TimedRuleDue.objects.get(rule=rule, ticket=ticket)
    assert due.episode == 2 and due.due_at is None
    rule.refresh_from_db()
    assert rule.fired_count == 2 and rule.last_fired_at == T0 + timedelta(days=7)
    note = Message.objects.filter(ticket=ticket, public=False).first()
    assert note is not None and note.author is None
    event = TicketEvent.objects.filter(ticket=ticket, source="rule").first()
    assert event is None or event.source_detail == f"timed:{rule.pk}"


def test_leaving_the_state_before_it_is_due_ends_the_episode(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM, name="p", condition="status", status_category="pending", minutes=60, actions=NOTE
    )
    ticket = make_ticket()
    status(ticket, "pending")
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    status(ticket, "open")
    time_machine.move_to(T0 + timedelta(hours=3), tick=False)
    assert run_due() == 0 and notes(ticket) == 0


def test_unassigned_for_thirty_minutes(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM,
        name="Unassigned",
        condition="unassigned",
        minutes=30,
        actions=[{"type": "add_tags", "value": ["unattended"]}],
    )
    agent = make_agent()
    late = make_ticket()
    quick = make_ticket()
    time_machine.move_to(T0 + timedelta(minutes=10), tick=False)
    tickets.assign_ticket(SYSTEM, ticket_id=quick.pk, assignee_id=agent.pk)
    time_machine.move_to(T0 + timedelta(minutes=30), tick=False)
    assert run_due() == 1
    assert list(late.tags.values_list("name", flat=True)) == ["unattended"]
    assert not quick.tags.exists()
    tickets.assign_ticket(SYSTEM, ticket_id=quick.pk, assignee_id=None)  # a new episode
    time_machine.move_to(T0 + timedelta(minutes=60), tick=False)
    assert run_due() == 1
    assert list(quick.tags.values_list("name", flat=True)) == ["unattended"]


def test_no_customer_reply_for_three_days(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM, name="Remind", condition="no_customer_reply", minutes=3 * 24 * 60, actions=NOTE
    )
    customer, agent = make_customer(), make_agent()
    answered = make_ticket(customer)
    silent = make_ticket(customer)
    for ticket in (answered, silent):
        tickets.add_message(web(agent), ticket_id=ticket.pk, body="¿Puede probar esto?")
    time_machine.move_to(T0 + timedelta(days=1), tick=False)
    tickets.add_message(web(customer), ticket_id=answered.pk, body="Ya lo probé, sigue igual.")
    tickets.add_message(web(agent), ticket_id=silent.pk, body="¿Alguna novedad?")  # same episode
    time_machine.move_to(T0 + timedelta(days=3), tick=False)
    assert run_due() == 1
    assert notes(silent) == 1 and notes(answered) == 0


def test_extra_conditions_are_checked_when_due(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM,
        name="High only",
        condition="status",
        status_category="pending",
        minutes=60,
        conditions={"all": [{"field": "priority", "operator": "is", "value": "high"}]},
        actions=NOTE,
    )
    high, low = make_ticket(priority="high"), make_ticket(priority="low")
    status(high, "pending")
    status(low, "pending")
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    assert run_due() == 1
    assert notes(high) == 1 and notes(low) == 0


@pytest.mark.skipif("set_status" not in action_types(), reason="set_status comes with macros")
def test_solved_for_four_days_then_closed(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM,
        name="Close solved",
        condition="status",
        status_category="solved",
        minutes=4 * 24 * 60,
        actions=[{"type": "set_status", "value": "closed"}],
    )
    ticket = make_ticket()
    status(ticket, "solved")
    time_machine.move_to(T0 + timedelta(days=4), tick=False)
    assert run_due() == 1
    ticket.refresh_from_db()
    assert ticket.status.key == "closed"


def test_the_sweep_reads_only_due_rows(time_machine: Any, django_assert_num_queries: Any) -> None:
    time_machine.move_to(T0, tick=False)
    create_timed_rule(
        SYSTEM, name="p", condition="status", status_category="pending", minutes=60, actions=NOTE
    )
    for _ in range(5):
        status(make_ticket(), "pending")
    with django_assert_num_queries(1):
        assert run_due() == 0


def test_bad_timed_rules_are_refused_naming_the_part() -> None:
    with pytest.raises(Invalid) as raised:
        create_timed_rule(SYSTEM, name="x", condition="forever", minutes=0, actions=NOTE)
    assert [e.field for e in raised.value.errors] == ["condition", "minutes"]
    with pytest.raises(Invalid) as raised:
        create_timed_rule(SYSTEM, name="x", condition="status", minutes=10, actions=[{"type": "x"}])
    assert [e.field for e in raised.value.errors] == ["actions[0].type", "status_category"]
    assert TimedRule.objects.count() == 0
    with pytest.raises(Forbidden):
        create_timed_rule(
            web(make_agent()), name="x", condition="unassigned", minutes=5, actions=NOTE
        )
    rule = create_timed_rule(SYSTEM, name="x", condition="unassigned", minutes=5, actions=NOTE)
    with pytest.raises(Invalid) as raised:
        update_timed_rule(SYSTEM, rule_id=rule.pk, changes={"minutes": -3})
    assert raised.value.errors[0].field == "minutes"
    delete_timed_rule(SYSTEM, rule_id=rule.pk)
    assert not TimedRule.objects.exists()


def test_a_new_rule_times_tickets_already_in_its_state_from_now(time_machine: Any) -> None:
    time_machine.move_to(T0, tick=False)
    waiting = make_ticket()
    status(waiting, "pending")
    unassigned = make_ticket()
    time_machine.move_to(T0 + timedelta(days=1), tick=False)
    pending_rule = create_timed_rule(
        SYSTEM, name="p", condition="status", status_category="pending", minutes=60, actions=NOTE
    )
    create_timed_rule(
        SYSTEM,
        name="u",
        condition="unassigned",
        minutes=60,
        actions=[{"type": "add_tags", "value": ["late"]}],
    )
    time_machine.move_to(T0 + timedelta(days=1, minutes=59), tick=False)
    assert run_due() == 0
    time_machine.move_to(T0 + timedelta(days=1, minutes=60), tick=False)
    assert run_due() == 3  # the pending ticket is unassigned too
    assert notes(waiting) == 1 and notes(unassigned) == 0
    assert list(unassigned.tags.values_list("name", flat=True)) == ["late"]
    # Waiting on another state now: the old rows go, the tickets in the new state start.
    update_timed_rule(SYSTEM, rule_id=pending_rule.pk, changes={"status_category": "new"})
    assert set(
        TimedRuleDue.objects.filter(rule=pending_rule).values_list("ticket_id", flat=True)
    ) == {unassigned.pk}
