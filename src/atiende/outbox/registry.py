"""Which handler delivers which kind of effect, filled explicitly from each app's ``ready``.

An app imports its handler module in ``AppConfig.ready``; the module registers each handler
with ``handles(kind)``. No discovery: a kind without a handler is a programming error that
``services.enqueue`` refuses at once, inside the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """What a handler is given: the effect's key (to make a second run a no-op) and payload."""

    kind: str
    key: str
    payload: dict[str, Any]
    attempt: int


Handler = Callable[[Delivery], None]


@dataclass(frozen=True)
class Registered:
    handler: Handler
    # Database-only handlers run in one transaction with the row's "delivered" mark, so their
    # writes happen exactly once. Handlers that talk to the outside world (SMTP) run outside
    # any transaction, under a lease, and must use the key to be safe to run twice.
    atomic: bool


_handlers: dict[str, Registered] = {}


class RetryLater(Exception):
    """A handler's way to say "try again, but not before ``after``": a provider that answered
    429 with ``Retry-After``. The delivery waits the longer of ``after`` and its backoff."""

    def __init__(self, message: str, *, after: timedelta = timedelta(0)) -> None:
        super().__init__(message)
        self.after = after


class UnknownKind(LookupError):
    """No handler is registered for an effect's kind."""


def handles(kind: str, *, atomic: bool = True) -> Callable[[Handler], Handler]:
    """Register the decorated function as the one handler of ``kind``."""

    def register(handler: Handler) -> Handler:
        found = _handlers.get(kind)
        if found is not None and found.handler is not handler:
            raise ValueError(f"effect kind {kind!r} already has a handler: {found.handler!r}")
        _handlers[kind] = Registered(handler, atomic)
        return handler

    return register


def unregister(kind: str) -> None:
    """Forget ``kind``'s handler (tests that register their own kinds clean up with this)."""
    _handlers.pop(kind, None)


def lookup(kind: str) -> Registered:
    found = _handlers.get(kind)
    if found is None:
        raise UnknownKind(f"no handler is registered for effect kind {kind!r}")
    return found


def known(kind: str) -> bool:
    return kind in _handlers
