"""Per-process snapshots: built once, rebuilt after their time or a change (now and on commit)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import transaction

from atiende.core.snapshots import Snapshots


def counter() -> itertools.count[int]:
    return itertools.count(1)


def test_a_value_is_built_once_then_kept() -> None:
    built = counter()
    snapshots = Snapshots()
    assert snapshots.remember("rules", lambda: next(built)) == 1
    assert snapshots.remember("rules", lambda: next(built)) == 1
    assert snapshots.remember("other", lambda: next(built)) == 2


def test_a_value_past_its_time_is_built_again() -> None:
    built = counter()
    snapshots = Snapshots(ttl=0.0)
    assert snapshots.remember("rules", lambda: next(built)) == 1
    assert snapshots.remember("rules", lambda: next(built)) == 2


@pytest.mark.django_db
def test_a_change_is_seen_at_once_and_again_after_the_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    built = counter()
    snapshots = Snapshots()
    snapshots.remember("rules", lambda: next(built))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        snapshots.changed()
        assert snapshots.remember("rules", lambda: next(built)) == 2  # this transaction
        # Read again before the commit (another request of this process): kept.
        assert snapshots.remember("rules", lambda: next(built)) == 2
    assert snapshots.remember("rules", lambda: next(built)) == 3  # forgotten on commit
