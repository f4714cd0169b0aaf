"""``core.deferred``: additions summed over a block and written once when it ends well — in a
fixed order of writers — dropped when it raises, handed to the outer block when nested."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from atiende.core import deferred

written: list[tuple[str, dict[Any, int]]] = []


def tally(changes: Counter[Any]) -> None:
    written.append(("tally", dict(changes)))


def fired(changes: Counter[Any]) -> None:
    written.append(("fired", dict(changes)))


@pytest.fixture(autouse=True)
def _clean() -> None:
    written.clear()


def test_outside_a_block_each_addition_is_written_at_once() -> None:
    deferred.add("b.fired", fired, Counter({7: 1}))
    assert written == [("fired", {7: 1})]


def test_inside_a_block_additions_are_summed_and_written_at_the_end_in_writer_order() -> None:
    with deferred.deferred():
        deferred.add("b.fired", fired, Counter({7: 1}))
        deferred.add("a.tally", tally, Counter({(1, 0, 0): 1}))
        deferred.add("b.fired", fired, Counter({7: 1, 3: 1}))
        deferred.add("a.tally", tally, Counter({(1, 0, 0): -1, (2, 0, 0): 1}))
        assert written == []
    assert written == [("tally", {(1, 0, 0): 0, (2, 0, 0): 1}), ("fired", {7: 2, 3: 1})]


def refused() -> None:
    with deferred.deferred():
        deferred.add("b.fired", fired, Counter({2: 1}))
        raise RuntimeError


def test_a_block_that_raises_drops_its_additions_and_a_nested_one_joins_the_outer() -> None:
    with deferred.deferred():
        deferred.add("b.fired", fired, Counter({1: 1}))
        with pytest.raises(RuntimeError):
            refused()
        with deferred.deferred():
            deferred.add("b.fired", fired, Counter({3: 1}))
        assert written == []
    assert written == [("fired", {1: 1, 3: 1})]
