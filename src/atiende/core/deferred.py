"""Counts summed over a change and written as its last statements.

Some rows are shared by many changes: an inbox tally row counts every new unassigned ticket, a
trigger's counter every firing of the rule. An UPDATE locks such a row until the transaction
ends, so two importers writing it in the middle of their batches wait for each other's whole
batch. Inside ``deferred()`` each writer's additions are summed and written when the outermost
block ends well — writers in a fixed order, each sorting its keys — so concurrent
transactions on PostgreSQL take those locks in one order, and only while committing. A block
that raises drops its additions (its savepoint rolled its writes back); a nested block that
ends well hands them to the outer one, so a bulk change writes them once.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

Writer = Callable[[Counter[Any]], None]

# Per writer's name: the function that writes, and the additions summed so far.
_pending: ContextVar[dict[str, tuple[Writer, Counter[Any]]] | None] = ContextVar(
    "deferred_counts", default=None
)


def add(name: str, write: Writer, changes: Counter[Any]) -> None:
    """Add ``changes`` to what ``write`` will write; at once when no ``deferred()`` block is
    open. ``name`` orders the writers and must name one ``write`` function."""
    pending = _pending.get()
    if pending is None:
        write(changes)
        return
    pending.setdefault(name, (write, Counter()))[1].update(changes)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Collect the additions made inside the block; write them when it ends well. Open it
    inside the transaction (also usable as a decorator under ``@transaction.atomic``)."""
    outer = _pending.get()
    pending: dict[str, tuple[Writer, Counter[Any]]] = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for name in sorted(pending):
        write, changes = pending[name]
        if outer is not None:
            outer.setdefault(name, (write, Counter()))[1].update(changes)
        else:
            write(changes)
