"""The outbox's promise: written with the change, delivered after it, retried, never twice.

Time moves through the ``now`` given to ``deliver`` / ``deliver_due``, never by sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from atiende.outbox import delivery, registry
from atiende.outbox.models import Effect, EffectState
from atiende.outbox.services import OutsideTransaction, deliver_together, enqueue
from atiende.outbox.tasks import deliver_due_effects
from tests.outbox.conftest import Service


def promise(kind: str = "test.effect", **payload: Any) -> Effect:
    with transaction.atomic():
        return enqueue(kind, payload=payload)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enqueue_outside_a_transaction_is_refused(service: Service) -> None:
    with pytest.raises(OutsideTransaction, match=r"inside the change's transaction"):
        enqueue("test.effect", payload={"n": 1})
    assert not Effect.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_delivering_together_outside_a_transaction_is_refused() -> None:
    with pytest.raises(OutsideTransaction, match=r"needs the transaction"):
        deliver_together()


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_inside_the_change() -> None:
    with pytest.raises(registry.UnknownKind, match=r"no\.such\.kind"), transaction.atomic():
        enqueue("no.such.kind", payload={})
    assert not Effect.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_row_and_delivers_nothing(
    service: Service, on_commit: Callable[..., Any]
) -> None:
    class Abandoned(Exception):
        pass

    def change_then_abandon() -> None:
        with transaction.atomic():
            enqueue("test.effect", payload={"n": 1})
            raise Abandoned

    with on_commit(), pytest.raises(Abandoned):
        change_then_abandon()
    assert not Effect.objects.exists()
    assert service.calls == []


@pytest.mark.django_db
def test_a_committed_effect_is_delivered_at_once_by_its_own_process(
    service: Service, on_commit: Callable[..., Any]
) -> None:
    with on_commit(), transaction.atomic():
        first = enqueue("test.effect", payload={"n": 1})
        second = enqueue("test.effect", payload={"n": 2})
    assert service.calls == [first.key, second.key]
    for row in Effect.objects.all():
        assert row.state == EffectState.DELIVERED
        assert row.attempts == 1 and row.delivered_at is not None and row.next_attempt_at is None


@pytest.mark.django_db
def test_effects_of_savepoints_in_one_transaction_are_delivered_together(
    service: Service, on_commit: Callable[..., Any]
) -> None:
    """An import batch (``deliver_together``): one savepoint per message, one delivery after
    the commit; a message rolled back in its savepoint delivers nothing."""

    class Refused(Exception):
        pass

    kept: list[Effect] = []
    with CaptureQueriesContext(connection) as queries, on_commit(), transaction.atomic():
        deliver_together()
        for n in range(5):
            try:
                with transaction.atomic():  # one message
                    effect = enqueue("test.effect", payload={"n": n})
                    if n == 2:
                        raise Refused
                    kept.append(effect)
            except Refused:
                pass
    deliveries = [
        q for q in queries if q["sql"].startswith("SELECT") and '"outbox_effect"' in q["sql"]
    ]
    assert len(deliveries) == 1
    assert service.calls == [e.key for e in kept]
    assert Effect.objects.filter(state=EffectState.DELIVERED).count() == 4
    assert Effect.objects.count() == 4


@pytest.mark.django_db
def test_a_delivery_is_not_repeated(service: Service) -> None:
    row = promise(n=1)
    assert delivery.deliver(ids=[row.pk]) == 1
    assert delivery.deliver(ids=[row.pk]) == 0
    assert delivery.deliver_due() == 0
    assert service.calls == [row.key]


@pytest.mark.django_db
def test_the_sweep_delivers_what_its_process_did_not(service: Service, settings: Any) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False
    rows = [promise(n=n) for n in range(3)]
    assert service.calls == []
    assert deliver_due_effects.call() == 3
    assert service.calls == [r.key for r in rows]


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_backoff(service: Service) -> None:
    service.failures = 2
    row = promise(n=1)
    t0 = timezone.now()
    assert delivery.deliver(ids=[row.pk], now=t0) == 0
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EffectState.PENDING, 1)
    assert row.next_attempt_at == t0 + timedelta(seconds=30)
    assert "Unavailable: try later" in row.last_error

    assert delivery.deliver_due(now=t0 + timedelta(seconds=29)) == 0  # not due yet
    assert delivery.deliver_due(now=t0 + timedelta(seconds=30)) == 0  # second failure
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == t0 + timedelta(seconds=30) + timedelta(minutes=1)

    assert delivery.deliver_due(now=t0 + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (EffectState.DELIVERED, 3, "")
    assert service.calls == [row.key] * 3


def test_backoff_doubles_up_to_an_hour() -> None:
    waits = [delivery.backoff(n) for n in range(1, 11)]
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert waits[-1] == timedelta(hours=1)


@pytest.mark.django_db
def test_after_the_last_attempt_the_effect_is_failed_logged_and_left_alone(
    service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    service.failures = delivery.MAX_ATTEMPTS + 5
    row = promise(n=1)
    now = timezone.now()
    with caplog.at_level(logging.ERROR, logger="atiende.outbox.delivery"):
        for _ in range(delivery.MAX_ATTEMPTS):
            delivery.deliver_due(now=now)
            now += delivery.LONGEST_WAIT
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == (
        EffectState.FAILED,
        delivery.MAX_ATTEMPTS,
        None,
    )
    assert f"failed {delivery.MAX_ATTEMPTS} times" in caplog.text
    assert delivery.deliver_due(now=now + timedelta(days=1)) == 0
    assert len(service.calls) == delivery.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_failed_handler_leaves_none_of_its_writes(service: Service) -> None:
    """A database handler's writes commit with the "delivered" mark, or not at all."""
    nested: list[Effect] = []

    def writes_then_fails(effect: registry.Delivery) -> None:
        nested.append(enqueue("test.effect", payload={"from": effect.key}))
        raise RuntimeError("half-way")

    registry.handles("test.half")(writes_then_fails)
    try:
        row = promise("test.half")
        assert delivery.deliver(ids=[row.pk]) == 0
    finally:
        registry.unregister("test.half")
    assert len(nested) == 1
    assert not Effect.objects.filter(pk=nested[0].pk).exists()
    row.refresh_from_db()
    assert row.state == EffectState.PENDING and row.attempts == 1


@pytest.mark.django_db
def test_an_outside_handler_runs_under_a_lease(outside: Service) -> None:
    outside.failures = 1
    row = promise("test.outside", n=1)
    t0 = timezone.now()
    assert delivery.deliver(ids=[row.pk], now=t0) == 0
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EffectState.PENDING, 1)
    assert row.next_attempt_at == t0 + delivery.backoff(1)
    assert delivery.deliver_due(now=t0 + delivery.backoff(1)) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (EffectState.DELIVERED, 2)
    assert outside.calls == [row.key, row.key]  # the key lets the service ignore a repeat


@pytest.mark.django_db
def test_an_effect_of_a_kind_no_longer_known_fails_visibly(service: Service) -> None:
    row = promise(n=1)
    registry.unregister("test.effect")
    assert delivery.deliver_due() == 0
    row.refresh_from_db()
    assert row.state == EffectState.FAILED and "no handler" in row.last_error


@pytest.mark.django_db
def test_delivered_effects_are_forgotten_after_a_week_failed_ones_stay(service: Service) -> None:
    delivered, failed, recent = promise(n=1), promise(n=2), promise(n=3)
    Effect.objects.filter(pk=delivered.pk).update(state=EffectState.DELIVERED)
    Effect.objects.filter(pk=failed.pk).update(state=EffectState.FAILED)
    Effect.objects.filter(pk=recent.pk).update(state=EffectState.DELIVERED)
    week_later = recent.created_at + delivery.KEEP_DELIVERED + timedelta(seconds=1)
    Effect.objects.filter(pk=recent.pk).update(created_at=week_later - timedelta(days=1))
    assert delivery.purge_delivered(now=week_later) == 1
    assert set(Effect.objects.values_list("pk", flat=True)) == {failed.pk, recent.pk}


@pytest.mark.django_db
def test_a_bulk_change_delivers_a_bounded_number_at_once_and_leaves_the_rest_to_workers(
    service: Service, on_commit: Callable[..., Any]
) -> None:
    from django_tasks_db.models import DBTaskResult

    from atiende.outbox.services import AT_ONCE_LIMIT, CHUNK

    total = AT_ONCE_LIMIT + CHUNK + 1
    with on_commit(), transaction.atomic():
        for n in range(total):
            enqueue("test.effect", payload={"n": n})
    assert len(service.calls) == AT_ONCE_LIMIT
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_effects").count() == 2
    assert deliver_due_effects.call() == CHUNK + 1
    assert len(set(service.calls)) == total
