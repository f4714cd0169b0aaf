"""A policy deleted by another process while this one's snapshot still holds it: the ticket's
change commits, and its clocks run under the policies that remain."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from atiende.sla import cache
from atiende.sla.models import SlaPolicy, SlaTimer
from atiende.sla.selectors import active_policies
from atiende.sla.services.policies import delete_policy
from atiende.tickets import services as tickets
from tests.factories import SYSTEM, make_ticket
from tests.sla.helpers import standard_policy

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _no_snapshot_left() -> Iterator[None]:
    """The tables are emptied after each test here; the snapshot must not outlive them."""
    yield
    cache.clear()


def deleted_elsewhere(policy: SlaPolicy) -> None:
    """Delete as another process would: the rows go, this process's snapshot keeps them."""
    SlaPolicy.objects.filter(pk=policy.pk).delete()


def policies_of(ticket_id: int) -> set[int]:
    return set(SlaTimer.objects.filter(ticket_id=ticket_id).values_list("policy_id", flat=True))


def test_a_ticket_opened_on_a_stale_snapshot_commits_under_the_remaining_policy() -> None:
    gone = standard_policy(name="Gone", order=0)
    kept = standard_policy(name="Kept", order=10)
    assert [p.id for p in active_policies()] == [gone.pk, kept.pk]  # the snapshot is primed
    deleted_elsewhere(gone)
    assert [p.id for p in active_policies()] == [gone.pk, kept.pk]  # and stale

    ticket = make_ticket()  # commits for real: a dangling policy id would fail here

    assert policies_of(ticket.pk) == {kept.pk}
    assert [p.id for p in active_policies()] == [kept.pk]  # caught up at once


def test_a_ticket_whose_policy_went_keeps_its_clocks_under_the_remaining_policy() -> None:
    gone = standard_policy(name="Gone", order=0)
    kept = standard_policy(name="Kept", order=10)
    ticket = make_ticket()
    assert policies_of(ticket.pk) == {gone.pk}
    deleted_elsewhere(gone)  # its timers go with it

    tickets.update_ticket(SYSTEM, ticket_id=ticket.pk, version=None, changes={"priority": "urgent"})

    assert policies_of(ticket.pk) == {kept.pk}


def until_a_session_waits_for_a_lock(timeout: float = 30.0) -> None:
    """Return once PostgreSQL shows another session blocked on a lock (the explicit signal)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no session ever waited for a lock")


def test_a_delete_racing_a_change_waits_for_it_and_takes_its_timers() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL (SQLite serialises writers)")
    policy = standard_policy(name="Racing")
    active_policies()
    held, results = threading.Event(), {}

    def change() -> None:
        try:
            with transaction.atomic():
                results["ticket"] = make_ticket().pk  # holds the policy, writes its timers
                held.set()
                until_a_session_waits_for_a_lock()  # the delete below queues behind us
        except Exception as exc:  # a failure is a result the test asserts on
            results["change"] = exc
        finally:
            held.set()
            connection.close()

    def delete() -> None:
        try:
            held.wait(timeout=30)
            delete_policy(SYSTEM, policy_id=policy.pk)
        except Exception as exc:  # a failure is a result the test asserts on
            results["delete"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=change), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert set(results) == {"ticket"}, results
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()
    assert policies_of(results["ticket"]) == set()
