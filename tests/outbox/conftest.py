"""Effect kinds of the outbox tests, with handlers that stand for the outside world."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from atiende.outbox import registry
from atiende.outbox.registry import Delivery
from tests.messaging.servers import smtp_sink

__all__ = ["smtp_sink"]


class Unavailable(Exception):
    """The outside service said no."""


@dataclass
class Service:
    """A fake outside service: records each call's key, refuses the first ``failures``."""

    failures: int = 0
    calls: list[str] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event | None = None

    def __call__(self, effect: Delivery) -> None:
        self.calls.append(effect.key)
        self.entered.set()
        if self.release is not None:
            assert self.release.wait(30)
        if self.failures > 0:
            self.failures -= 1
            raise Unavailable(f"try later ({effect.payload})")


@pytest.fixture
def service() -> Iterator[Service]:
    """``test.effect``: a database-style handler run inside the delivery's transaction."""
    fake = Service()
    registry.handles("test.effect")(fake)
    yield fake
    registry.unregister("test.effect")


@pytest.fixture
def outside() -> Iterator[Service]:
    """``test.outside``: a handler that talks to the outside world (run under a lease)."""
    fake = Service()
    registry.handles("test.outside", atomic=False)(fake)
    yield fake
    registry.unregister("test.outside")
