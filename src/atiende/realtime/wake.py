"""Wake this process's log readers as soon as a live event written here commits.

The hub (staff sockets) and the chat relay (visitors) read the live event log every
``POLL_SECONDS``: an event written in another process (a WSGI worker's change, the task
worker) reaches them on their next read. An event written in *this* process need not wait for
it: a visitor's message posted through the live server, its typing, the bot's answer. The
write rings a bell after its commit (``log.append``) and every reader of the process reads at
once. Without it the poll interval was the floor of a chat's round trip (0-250 ms on top of
the write; ``docs/performance.md``).

A ring while a reader is reading is kept: the reader reads again at once after. Rings from a
thread (``database_sync_to_async``'s) reach the reader's event loop thread-safely. A process
with no readers (a WSGI worker) rings nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from django.db import transaction


class Bell:
    """One reader's wake-up, bound to the event loop it waits on."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._rung = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return when rung or after ``timeout`` seconds, whichever is first; then re-arm
        (before the caller reads, so a ring during its read wakes the next wait at once)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._rung.wait(), timeout)
        self._rung.clear()

    def ring(self) -> None:
        """From any thread."""
        self.loop.call_soon_threadsafe(self._rung.set)


_bells: set[Bell] = set()
_lock = threading.Lock()


def listen(bell: Bell) -> None:
    with _lock:
        _bells.add(bell)


def forget(bell: Bell) -> None:
    with _lock:
        _bells.discard(bell)


def ring() -> None:
    """Wake every reader of this process (a bell whose loop has closed is forgotten)."""
    with _lock:
        bells = list(_bells)
    for bell in bells:
        try:
            bell.ring()
        except RuntimeError:  # its loop is closed: the reader is gone
            forget(bell)


def ring_after_commit() -> None:
    """Ring once the current transaction commits (at once outside a transaction); nothing on
    a rollback, whose event never existed."""
    if _bells:
        transaction.on_commit(ring, robust=True)
