"""Two workers sweeping at once never deliver the same row twice (real connections, threads)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from atiende.outbox import delivery
from atiende.outbox.models import Effect, EffectState
from atiende.outbox.services import enqueue
from tests.outbox.conftest import Service

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sweep(results: list[int]) -> None:
    try:
        results.append(delivery.deliver_due())
    finally:
        connection.close()


def test_two_workers_do_not_deliver_the_same_row(service: Service, settings: Any) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False
    with transaction.atomic():
        rows = [enqueue("test.effect", payload={"n": n}) for n in range(3)]
    service.release = threading.Event()
    first: list[int] = []
    second: list[int] = []
    a = threading.Thread(target=sweep, args=(first,))
    b = threading.Thread(target=sweep, args=(second,))
    a.start()
    assert service.entered.wait(30)  # the first worker holds the rows, mid-delivery
    b.start()
    if connection.vendor == "postgresql":
        b.join(30)  # SKIP LOCKED: the second worker passes the locked rows by at once
        assert second == [0]
        service.release.set()
    else:
        service.release.set()  # SQLite: the second worker queues on the write lock
        b.join(30)
    a.join(30)
    assert not a.is_alive() and not b.is_alive()
    assert sorted(first + second) == [0, 3]
    assert sorted(service.calls) == sorted(r.key for r in rows)
    assert set(Effect.objects.values_list("state", flat=True)) == {EffectState.DELIVERED}
