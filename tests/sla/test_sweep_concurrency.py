"""Two sweeps at once, in real threads on PostgreSQL: every step is announced exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db import connection

from atiende.core.event_types import SlaBreached
from atiende.core.events import capture_events
from atiende.sla.services.sweep import sweep
from atiende.tickets.models import TicketEvent
from tests.factories import make_ticket
from tests.sla.helpers import local, office, standard_policy

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("concurrency"),
]


def test_two_sweeps_at_once_breach_each_timer_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED between connections: PostgreSQL (SQLite serialises writers)")
    office()
    standard_policy()
    with time_machine.travel(local(2026, 12, 7, 10, 0), tick=False):
        tickets = [make_ticket() for _ in range(40)]
    later = local(2026, 12, 7, 11, 1)  # every first reply breached, nothing else
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def worker(index: int) -> None:
        try:
            barrier.wait()
            total = 0
            while done := sweep(now=later, batch=7):
                total += done
            results[index] = total
        except Exception as exc:  # a failure is a result the test asserts on
            results[index] = exc
        finally:
            connection.close()

    with capture_events() as seen:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(tickets)
    breached = Counter(e.ticket_id for e in seen if isinstance(e, SlaBreached))
    assert breached == Counter({t.pk: 1 for t in tickets})
    history = Counter(
        TicketEvent.objects.filter(action="sla_breached").values_list("ticket_id", flat=True)
    )
    assert history == breached
