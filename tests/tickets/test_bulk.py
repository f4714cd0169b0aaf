"""Bulk changes: each ticket through the write path, in its own atomic block, reported alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count
from django.db.models.functions import Coalesce

from atiende.core import events
from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.core.event_types import TicketUpdated
from atiende.tickets import services
from atiende.tickets.models import Ticket, TicketEvent, TicketTally
from atiende.tickets.services.bulk import MAX_BULK_IDS, BulkChange, TicketResult, bulk_update
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db
NOT_FOUND = "Ticket not found."


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("status", "priority").get(pk=ticket.pk)


def test_a_mix_of_valid_and_invalid_changes_is_reported_ticket_by_ticket(
    published: list[Any],
) -> None:
    support, billing = make_group(), make_group()
    agent = make_agent(support)
    mine, theirs = make_ticket(group_id=support.pk), make_ticket(group_id=billing.pk)
    closed = make_ticket(group_id=support.pk)
    services.change_status(SYSTEM, ticket_id=closed.pk, status="closed")

    result = bulk_update(
        web(agent),
        ticket_ids=[mine.pk, theirs.pk, closed.pk, 987654, mine.pk],
        change=BulkChange(action="status", status="pending"),
    )

    assert result.results == (
        TicketResult(mine.pk, mine.number, ok=True, changed=True),
        TicketResult(theirs.pk, None, ok=False, code="ticket_not_found", message=NOT_FOUND),
        TicketResult(
            closed.pk,
            closed.number,
            ok=False,
            code="invalid_transition",
            message="A closed ticket cannot change status.",
        ),
        TicketResult(987654, None, ok=False, code="ticket_not_found", message=NOT_FOUND),
    )
    # Invisible and missing look the same: nothing says the hidden ticket exists.
    assert result.results[1].message == result.results[3].message
    assert fresh(mine).status.key == "pending" and fresh(theirs).status.key == "new"
    assert TicketEvent.objects.filter(ticket=mine, field="status", actor=agent).exists()
    updates = [e for e in published if isinstance(e, TicketUpdated) and e.ticket_id == mine.pk]
    assert [c.new["key"] for e in updates for c in e.changes] == ["pending"]  # type: ignore[call-overload,index]  # snapshot dicts


@pytest.fixture
def refuse_second_ticket() -> Iterator[list[int]]:
    """An in-transaction subscriber (the bus's own seam) that refuses the change of the ticket
    ids put in the list, after the service already wrote the ticket and its history."""
    refused: list[int] = []

    def refuse(event: TicketUpdated) -> None:
        if event.ticket_id in refused:
            raise Conflict("refused by a rule")

    events.subscribe(TicketUpdated, in_transaction=True)(refuse)
    yield refused
    events.unsubscribe(TicketUpdated, refuse)


def test_a_ticket_that_fails_midway_is_rolled_back_whole(refuse_second_ticket: list[int]) -> None:
    first, second, third = make_ticket(), make_ticket(), make_ticket()
    refuse_second_ticket.append(second.pk)

    result = bulk_update(
        SYSTEM,
        ticket_ids=[first.pk, second.pk, third.pk],
        change=BulkChange(action="priority", priority="urgent"),
    )

    assert [r.ok for r in result.results] == [True, False, True]
    assert result.results[1].code == "conflict" and result.results[1].message == "refused by a rule"
    assert fresh(second).priority.key == "normal" and fresh(second).version == second.version
    assert not TicketEvent.objects.filter(ticket=second, field="priority").exists()
    assert fresh(first).priority.key == "urgent" and fresh(third).priority.key == "urgent"


def test_tags_assign_merge_and_close_go_through_the_services() -> None:
    group = make_group()
    agent = make_agent(group)
    a, b = make_ticket(group_id=group.pk, tags=["old"]), make_ticket(group_id=group.pk)
    actor = web(agent)

    change = BulkChange("tags", add_tags=("VIP",), remove_tags=("old",))
    tags = bulk_update(actor, ticket_ids=[a.pk, b.pk], change=change)
    assert [r.changed for r in tags.results] == [True, True]
    assert list(fresh(a).tags.values_list("name", flat=True)) == ["vip"]

    assign = bulk_update(
        actor, ticket_ids=[a.pk], change=BulkChange("assign", assignee_id=agent.pk)
    )
    assert assign.updated and fresh(a).assignee_id == agent.pk

    merge = bulk_update(
        actor, ticket_ids=[a.pk, b.pk], change=BulkChange("merge", merge_target_id=a.pk)
    )
    assert [(r.ok, r.changed) for r in merge.results] == [(True, False), (True, True)]
    assert fresh(b).merged_into_id == a.pk

    close = bulk_update(actor, ticket_ids=[a.pk], change=BulkChange("close"))
    assert close.updated and fresh(a).status.category == "closed"


@pytest.mark.parametrize(
    ("ids", "change", "field"),
    [
        ([], BulkChange("close"), "ids"),
        (list(range(1, MAX_BULK_IDS + 2)), BulkChange("close"), "ids"),
        ([1], BulkChange("explode"), "action"),
        ([1], BulkChange("status", status="nope"), "status"),
        ([1], BulkChange("priority", priority="nope"), "priority"),
        ([1], BulkChange("tags"), "add_tags"),
        ([1], BulkChange("tags", add_tags=("a,b",)), "add_tags"),
        ([1], BulkChange("merge", merge_target_id=987654), "merge_target_id"),
    ],
)
def test_a_request_wide_mistake_changes_nothing(
    ids: list[int], change: BulkChange, field: str
) -> None:
    ticket = make_ticket()
    with pytest.raises(Invalid) as error:
        bulk_update(SYSTEM, ticket_ids=ids or [], change=change)
    assert [e.field for e in error.value.errors] == [field]
    assert fresh(ticket).version == ticket.version


def test_ten_thousand_ids_are_refused_with_a_clear_message() -> None:
    with pytest.raises(Invalid) as error:
        bulk_update(SYSTEM, ticket_ids=range(1, 10_001), change=BulkChange("close"))
    assert str(error.value.detail) == "Select at most 500 tickets at a time (10000 were sent)."


def test_customers_cannot_run_bulk_changes() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    with pytest.raises(Forbidden):
        bulk_update(web(customer), ticket_ids=[ticket.pk], change=BulkChange("close"))


def test_bulk_changes_keep_the_inbox_tallies_equal_to_a_recount() -> None:
    group = make_group()
    agent = make_agent(group)
    tickets = [make_ticket(group_id=group.pk) for _ in range(3)]
    ids = [t.pk for t in tickets]
    bulk_update(SYSTEM, ticket_ids=ids, change=BulkChange("assign", assignee_id=agent.pk))
    bulk_update(SYSTEM, ticket_ids=ids[:2], change=BulkChange("status", status="pending"))
    bulk_update(SYSTEM, ticket_ids=ids, change=BulkChange("merge", merge_target_id=ids[2]))

    recount = {
        (row["status_id"], row["g"], row["a"]): row["n"]
        for row in Ticket.objects.values("status_id")
        .annotate(g=Coalesce("group_id", 0), a=Coalesce("assignee_id", 0))
        .values("status_id", "g", "a")
        .annotate(n=Count("pk"))
    }
    tallies = {
        (t.status_id, t.group_key, t.assignee_key): t.count
        for t in TicketTally.objects.all()
        if t.count
    }
    assert tallies == recount
