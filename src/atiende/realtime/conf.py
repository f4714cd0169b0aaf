"""Real-time knobs, read when used (never at import) so tests and deployments can change them.

Each has a default here; ``settings.ATIENDE_REALTIME`` may override any key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings

DEFAULTS: dict[str, float] = {
    # How often each web process reads the event log forward (seconds).
    "POLL_SECONDS": 0.25,
    # How often a web process re-reads its connected users' role, activity and groups.
    "VIEWER_REFRESH_SECONDS": 2.0,
    # Events kept for catching up after a dropped connection.
    "RETENTION_HOURS": 24.0,
    # At most this many missed events are replayed on reconnect; beyond, the page reloads.
    "REPLAY_LIMIT": 1000.0,
    # A presence row without a heartbeat for this long is gone (a closed tab, a dead process).
    "PRESENCE_TTL_SECONDS": 30.0,
    # "Is typing" shows this long after the last keystroke report.
    "TYPING_SECONDS": 6.0,
    # The same typing report or heartbeat from one socket within this gap is ignored.
    "CLIENT_GAP_SECONDS": 1.0,
}


def value(name: str) -> float:
    """The configured value of ``name`` (one of ``DEFAULTS``)."""
    overrides: dict[str, float] = getattr(settings, "ATIENDE_REALTIME", {})
    return float(overrides.get(name, DEFAULTS[name]))


_clocks: list[Callable[[], float]] = [time.monotonic]


def now() -> float:
    """Seconds on a monotonic clock: when viewers were refreshed, gaps seen, reports repeated.

    Tests move time with ``use_clock`` instead of sleeping past an interval.
    """
    return _clocks[-1]()


@contextmanager
def use_clock(clock: Callable[[], float]) -> Iterator[None]:
    """Read time from ``clock`` inside the block (a test's hand-moved clock)."""
    _clocks.append(clock)
    try:
        yield
    finally:
        _clocks.remove(clock)
