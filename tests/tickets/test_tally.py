"""The TicketTally rollup stays equal to a fresh count through every kind of ticket write."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
from django.db.models.functions import Coalesce

from atiende.cli import main
from atiende.core.errors import Forbidden, Invalid
from atiende.tickets import services, tally
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket, TicketTally
from atiende.tickets.selectors import visible_tallies
from atiende.tickets.tasks import reconcile_tallies
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

    services.delete_ticket(web(admin), ticket_id=second.pk)
    assert tallied() == counted() and sum(tallied().values()) == 1
    assert not Ticket.objects.filter(pk=second.pk).exists()


def test_only_admins_delete_tickets_and_a_refusal_moves_nothing() -> None:
    group = make_group()
    ticket = make_ticket(make_customer(), group_id=group.pk)
    before = tallied()
    with pytest.raises(Forbidden):
        services.delete_ticket(web(make_agent(group)), ticket_id=ticket.pk)
    with pytest.raises(TicketNotFound):
        services.delete_ticket(web(make_admin()), ticket_id=ticket.pk + 1000)
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert tallied() == before == counted()


def test_a_ticket_write_that_fails_leaves_the_tally_alone() -> None:
    ticket = make_ticket(make_customer())
    before = tallied()
    with pytest.raises(Invalid):  # the status is set first, then the tags are refused
        services.update_ticket(
            SYSTEM,
            ticket_id=ticket.pk,
            version=None,
            changes={"status": "pending", "tags": ["a,b"]},
        )
    assert tallied() == before == counted()


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


@pytest.mark.usefixtures("english")
def test_the_rebuild_command_recounts(capsys: pytest.CaptureFixture[str]) -> None:
    make_ticket(make_customer())
    TicketTally.objects.all().delete()
    assert main(["tally", "rebuild"]) == 0
    assert capsys.readouterr().out == "Recounted 1 ticket tallies.\n"
    assert tallied() == counted()


def test_the_rebuild_command_names_its_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", "recount"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'recount'" in err and len(err.strip().splitlines()) == 1


def test_nightly_reconciliation_corrects_and_logs_each_drifted_row(
    caplog: pytest.LogCaptureFixture,
) -> None:
    group = make_group()
    kept = make_ticket(make_customer())
    moved = make_ticket(make_customer())
    old, right = tally.key_of(moved), (moved.status_id, group.pk, 0)
    Ticket.objects.filter(pk=moved.pk).update(group_id=group.pk)  # around the services
    assert tallied() != counted()

    with caplog.at_level(logging.WARNING, logger="atiende.tickets.tasks"):
        assert reconcile_tallies.call() == 2
    assert tallied() == counted()
    assert tallied()[tally.key_of(kept)] == 1
    logged = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert logged == sorted(
        f"ticket tally drifted: status {s}, group {g}, assignee {a} counted {was}, true count {now}"
        for (s, g, a), was, now in ((old, 2, 1), (right, 0, 1))
    )

    caplog.clear()
    assert reconcile_tallies.call() == 0  # nothing drifted since: nothing said
    assert not caplog.records


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


def test_the_reconciliation_is_scheduled_nightly() -> None:
    from crontask import scheduler

    jobs = {job.name: job for job in scheduler.get_jobs()}
    trigger = jobs[reconcile_tallies.name].trigger
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "3"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("minute")]) == "37"


def test_nested_deferred_blocks_join_the_outer_one_unless_they_raise() -> None:
    from django.db import transaction

    ticket = make_ticket()
    before = tallied()
    key = tally.key_of(ticket)
    gone = (key[0], 0, 0) if key[1:] != (0, 0) else (key[0], 10**9, 0)

    def failing_step() -> None:
        with transaction.atomic(), tally.deferred():
            tally.move(gone, None, using="default")
            raise RuntimeError("rolled back to its savepoint")

    with transaction.atomic(), tally.deferred():
        with tally.deferred():
            tally.move(key, gone, using="default")
        with pytest.raises(RuntimeError):
            failing_step()
        assert tallied() == before  # the outer block has not ended yet
    assert tallied() == before - Counter({key: 1}) + Counter({gone: 1})


def test_a_ticket_opened_through_the_service_is_counted_once() -> None:
    customer = make_customer()
    before = sum(tallied().values())
    services.open_ticket(web(customer), subject="Printer", body="Broken", requester=customer)
    assert tallied() == counted() and sum(tallied().values()) == before + 1
