"""Domain events: published after commit, delivered to subscribers registered by each app.

Events are frozen dataclasses of ids and plain values so they survive a JSON round trip and can
travel to tasks, the channel layer and webhooks unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

_subscribers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register ``handler`` for ``event_type``; used by each app's ``subscribers`` module."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _subscribers[event_type]:
            _subscribers[event_type].append(handler)
        return handler

    return register


def publish(event: object) -> None:
    """Deliver ``event`` once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: dispatch(event), robust=True)


def dispatch(event: object) -> None:
    for handler in list(_subscribers[type(event)]):
        try:
            handler(event)
        except Exception:
            log.exception("subscriber %s failed for %r", handler, event)


def as_dict(event: object) -> dict[str, Any]:
    """The event as a JSON-ready dict, with its type name under ``type``."""
    assert dataclasses.is_dataclass(event) and not isinstance(event, type)
    return {"type": type(event).__name__, **dataclasses.asdict(event)}
