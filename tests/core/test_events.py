"""The event bus: after-commit delivery, in-transaction handlers, failures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from atiende.core import events


@dataclass(frozen=True)
class Pinged:
    n: int


@pytest.fixture
def calls() -> Iterator[list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []

    def during(event: Pinged) -> None:
        if event.n < 0:
            raise ValueError("refused")
        seen.append(("during", event.n))

    def after(event: Pinged) -> None:
        seen.append(("after", event.n))

    events.subscribe(Pinged, in_transaction=True)(during)
    events.subscribe(Pinged)(after)
    yield seen
    events.unsubscribe(Pinged, during)
    events.unsubscribe(Pinged, after)


@pytest.mark.django_db
def test_in_transaction_handlers_run_at_publish_others_after_commit(
    calls: list[tuple[str, int]], on_commit: Any
) -> None:
    with on_commit(), transaction.atomic():
        events.publish(Pinged(1))
        assert calls == [("during", 1)]
    assert calls == [("during", 1), ("after", 1)]


@pytest.mark.django_db
def test_an_in_transaction_failure_reaches_the_caller_and_nothing_runs_after(
    calls: list[tuple[str, int]], on_commit: Any
) -> None:
    with on_commit(), pytest.raises(ValueError, match="refused"):
        events.publish(Pinged(-1))
    assert calls == []


@pytest.mark.django_db
def test_capture_records_what_is_published_and_the_bus_still_delivers(
    calls: list[tuple[str, int]], on_commit: Any
) -> None:
    with events.capture_events() as outer, on_commit():
        with events.capture_events() as inner:
            events.publish(Pinged(1))
        events.publish(Pinged(2))
    assert inner == [Pinged(1)] and outer == [Pinged(1), Pinged(2)]
    assert calls == [("during", 1), ("during", 2), ("after", 1), ("after", 2)]


@pytest.mark.django_db
def test_capture_keeps_an_event_whose_transaction_rolled_back_but_nobody_gets_it(
    calls: list[tuple[str, int]], on_commit: Any
) -> None:
    def publish_then_fail() -> None:
        with transaction.atomic():
            events.publish(Pinged(3))
            raise RuntimeError

    with events.capture_events() as seen, on_commit(), pytest.raises(RuntimeError):
        publish_then_fail()
    assert seen == [Pinged(3)]
    assert calls == [("during", 3)]
