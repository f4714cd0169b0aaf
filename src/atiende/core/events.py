"""Domain events, delivered to subscribers registered by each app.

Most subscribers run after the surrounding transaction commits, so a rolled-back change tells
nobody. Subscribers that only write derived rows to our own database — the search index, the
live-event log — may instead run inside the transaction (``in_transaction=True``): their rows
then commit or roll back with the change itself (no second write transaction, and nothing
between the two for a crash to lose).

Events are frozen dataclasses of ids and plain values so they survive a JSON round trip and can
travel to tasks, the channel layer and webhooks unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

_subscribers: dict[type, list[Handler]] = defaultdict(list)
_in_transaction: dict[type, list[Handler]] = defaultdict(list)
_captures: list[list[object]] = []


def subscribe(
    event_type: type[E], *, in_transaction: bool = False
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register ``handler`` for ``event_type``; used by each app's ``subscribers`` module.

    With ``in_transaction`` the handler runs when the event is published, inside the caller's
    transaction, and an exception it raises rolls the change back.
    """
    registry = _in_transaction if in_transaction else _subscribers

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in registry[event_type]:
            registry[event_type].append(handler)
        return handler

    return register


@contextmanager
def capture_events() -> Iterator[list[object]]:
    """Record every event published inside the block, in order, as it is published.

    The seam for tests (and tools) that need to see what a change announced: nothing is
    replaced, in-transaction handlers still run and the others still follow the commit. An
    event published in a transaction that later rolls back is recorded but never delivered.
    """
    seen: list[object] = []
    _captures.append(seen)
    try:
        yield seen
    finally:
        # By identity: two captures holding the same events are equal lists.
        _captures[:] = [other for other in _captures if other is not seen]


def unsubscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Remove ``handler`` wherever ``subscribe`` put it (tests that register their own)."""
    for registry in (_in_transaction, _subscribers):
        if handler in registry[event_type]:
            registry[event_type].remove(handler)


def publish(event: object) -> None:
    """Run in-transaction handlers now; deliver to the others once the transaction commits."""
    for seen in _captures:
        seen.append(event)
    for handler in list(_in_transaction[type(event)]):
        handler(event)
    transaction.on_commit(lambda: dispatch(event), robust=True)


def dispatch(event: object) -> None:
    for handler in list(_subscribers[type(event)]):
        try:
            handler(event)
        except Exception:
            log.exception("subscriber %s failed for %r", handler, event)


def as_dict(event: object) -> dict[str, Any]:
    """The event as a JSON-ready dict, with its type name under ``type``."""
    if not dataclasses.is_dataclass(event) or isinstance(event, type):
        raise TypeError(f"{event!r} is not an event")
    return {"type": type(event).__name__, **dataclasses.asdict(event)}
