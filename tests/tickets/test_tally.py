"""The TicketTally rollup stays equal to a fresh count through every kind of ticket write."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models.functions import Coalesce

from atiende.tickets import services, tally
from atiende.tickets.models import Ticket, TicketTally
from atiende.tickets.selectors import visible_tallies
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
    web,
)

pytestmark = pytest.mark.django_db


def tallied() -> Counter[tuple[int, int, int]]:
    rows = TicketTally.objects.filter(count__gt=0)
    return Counter({(r.status_id, r.group_key, r.assignee_key): r.count for r in rows})


def counted() -> Counter[tuple[int, int, int]]:
    rows = Ticket.objects.annotate(g=Coalesce("group_id", 0), a=Coalesce("assignee_id", 0))
    return Counter(rows.values_list("status_id", "g", "a"))


def test_tally_follows_creates_updates_replies_merges_and_deletes() -> None:
    group, other = make_group(), make_group()
    agent, customer = make_agent(group, other), make_customer()
    admin = make_admin()
    first = make_ticket(customer)
    second = make_ticket(customer, group_id=group.pk)
    assert tallied() == counted() and sum(tallied().values()) == 2

    services.update_ticket(
        web(admin), ticket_id=first.pk, version=None, changes={"group_id": other.pk}
    )
    services.assign_ticket(web(agent), ticket_id=second.pk, assignee_id=agent.pk)
    services.change_status(web(agent), ticket_id=second.pk, status="pending")
    services.add_message(web(customer), ticket_id=second.pk, body="Still broken")  # reopens
    assert tallied() == counted()

    services.merge_tickets(SYSTEM, source_id=first.pk, target_id=second.pk)
    assert tallied() == counted()

    Ticket.objects.get(pk=second.pk).delete()
    assert tallied() == counted() and sum(tallied().values()) == 1


def test_a_deferred_load_still_moves_the_right_row() -> None:
    group = make_group()
    ticket = make_ticket(make_customer())
    partial = Ticket.objects.only("pk", "subject").get(pk=ticket.pk)
    partial.group_id = group.pk
    partial.save()
    assert tallied() == counted()


def test_rebuild_recounts_after_bulk_writes() -> None:
    group = make_group()
    for _ in range(3):
        make_ticket(make_customer())
    Ticket.objects.update(group_id=group.pk)  # bypasses save(): the rollup is now behind
    assert tallied() != counted()
    tally.rebuild()
    assert tallied() == counted()


def test_agents_count_only_rows_they_may_see() -> None:
    mine, theirs = make_group(), make_group()
    agent = make_agent(mine)
    make_ticket(make_customer(), group_id=mine.pk)
    make_ticket(make_customer(), group_id=theirs.pk)
    make_ticket(make_customer())  # no group yet: the triage queue every agent sees
    assigned = make_ticket(make_customer(), group_id=theirs.pk)
    services.assign_ticket(SYSTEM, ticket_id=assigned.pk, assignee_id=make_agent(theirs).pk)
    total = sum(t.count for t in visible_tallies(web(agent)))
    assert total == 2
    assert sum(t.count for t in visible_tallies(web(make_admin()))) == 4
    assert not visible_tallies(web(make_customer())).exists()


def test_the_rebuild_command_recounts() -> None:
    from io import StringIO

    from django.core.management import call_command

    make_ticket(make_customer())
    TicketTally.objects.all().delete()
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert "Recounted 1 ticket tallies." in out.getvalue()
    assert tallied() == counted()


def test_deferred_moves_are_summed_and_written_when_the_block_ends() -> None:
    from django.db import transaction

    group = make_group()
    ticket = make_ticket(group_id=group.pk)
    before = tallied()
    old = tally.key_of(ticket)
    new = (old[0], 0, 0)
    with transaction.atomic():
        with tally.deferred():
            tally.move(old, new, using="default")
            tally.move(new, old, using="default")  # back again: nothing to write for either
            tally.move(old, new, using="default")
            assert tallied() == before  # nothing written yet
        assert tallied() == before - Counter({old: 1}) + Counter({new: 1})


def test_deferred_moves_are_dropped_when_the_block_raises() -> None:
    from django.db import transaction

    ticket = make_ticket()
    before = tallied()
    key = tally.key_of(ticket)

    def failing_write() -> None:
        with tally.deferred():
            tally.move(key, None, using="default")
            raise RuntimeError("the write failed")

    with transaction.atomic():
        with pytest.raises(RuntimeError):
            failing_write()
        assert tallied() == before


def test_a_ticket_opened_through_the_service_is_counted_once() -> None:
    customer = make_customer()
    before = sum(tallied().values())
    services.open_ticket(web(customer), subject="Printer", body="Broken", requester=customer)
    assert tallied() == counted() and sum(tallied().values()) == before + 1
