"""One reader of the live event log per web process, fanning events out to its sockets.

The first socket starts the reader (an asyncio task), the last one stops it. Every
``POLL_SECONDS`` it reads ``id > last ORDER BY id`` (a range scan of the primary key) and hands
each event to the sockets whose user may receive it; an event written by this very process
wakes it at once (``wake``), without waiting for the next poll.

On PostgreSQL a row with a lower id can commit after a higher one: ids are taken at insert,
inside the change's transaction, which may be long (an import batch, a bulk change). The gaps
are settled exactly, not by a timeout: when the hub first misses an id it records the ``xmax``
of a snapshot taken after that read. The transaction that took the id had inserted before the
read, so it had an xid below that ``xmax``. Once a snapshot's ``xmin`` reaches the recorded
``xmax``, every such transaction has ended: the id is read once more (a commit is delivered, a
rollback never existed) and forgotten. On SQLite writers are serialised and ids become
visible in order, so nothing is tracked. See ``docs/decisions/0002-realtime-across-processes.md``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from channels.db import database_sync_to_async

from atiende.realtime import conf, log, wake
from atiende.realtime.access import Viewer, load_viewers, may_receive
from atiende.realtime.models import LiveEvent

logger = logging.getLogger(__name__)

# A jump in ids wider than this is not tracked id by id (a sequence reset, a bulk delete).
MAX_GAP = 200


class Listener(Protocol):
    """A socket as the hub sees it."""

    user_id: int
    watching: int | None

    async def deliver(self, event: LiveEvent) -> None: ...

    async def revoke(self) -> None: ...


@dataclass
class Read:
    """One poll's rows: new ones, late ones (missing before), and PostgreSQL's snapshot after."""

    rows: list[LiveEvent]
    late: list[LiveEvent]
    snapshot: tuple[int, int] | None = None


def _read(after: int, gaps: list[int], exact: bool) -> Read:
    read = Read(log.events_after(after), log.events_by_id(gaps) if gaps else [])
    if exact and (gaps or _has_gap(after, read.rows)):
        read.snapshot = log.snapshot()  # after the reads: see the module docstring
    return read


def _has_gap(after: int, rows: list[LiveEvent]) -> bool:
    return bool(rows) and rows[-1].pk - after != len(rows)


def _start(exact: bool) -> tuple[int, list[int], tuple[int, int] | None]:
    """The log's position, the ids below it that may still commit, and the snapshot after."""
    top = log.latest_id()
    if not exact:
        return top, [], None
    low = max(0, top - MAX_GAP)
    present = set(log.ids_between(low, top))
    return top, [pk for pk in range(low + 1, top) if pk not in present], log.snapshot()


@dataclass
class Gaps:
    """Ids missing below the last one seen, each with the ``xmax`` that settles it."""

    marks: dict[int, int] = field(default_factory=dict)
    # ``xmin`` of the last snapshot, taken after the previous poll's reads (so before this one's).
    xmin: int | None = None

    def __contains__(self, pk: int) -> bool:
        return pk in self.marks

    def __bool__(self) -> bool:
        return bool(self.marks)

    def ids(self) -> list[int]:
        return sorted(self.marks)

    def clear(self) -> None:
        self.marks.clear()
        self.xmin = None

    def settle(self, found: list[int], new: list[int], snapshot: tuple[int, int] | None) -> None:
        """After a read: forget what was found and what can no longer commit; mark new gaps."""
        for pk in found:
            self.marks.pop(pk, None)
        if self.xmin is not None:
            # Their transactions had all ended before this poll read them: final.
            self.marks = {pk: x for pk, x in self.marks.items() if x > self.xmin}
        if snapshot is not None:
            xmin, xmax = snapshot
            for pk in new:
                self.marks.setdefault(pk, xmax)
            self.xmin = xmin
        else:
            self.xmin = None


@dataclass
class Position:
    """A reader's place in the live log: the last id it read and, on PostgreSQL, the ids below
    it that may still commit (``Gaps``). The hub and the chat relay each keep one: a reader
    that only remembered the last id would skip for good an event whose transaction commits
    after a later one's (an agent's reply written by a web worker while the live server's own
    write, committed first, woke the reader)."""

    max_seen: int = 0
    gaps: Gaps = field(default_factory=Gaps)
    exact: bool = False  # settle gaps by transaction ids (PostgreSQL); set by ``start``

    def start(self) -> int:
        """Take the log's current position (synchronous: run it in the database thread)."""
        self.exact = log.commits_out_of_order()
        top, missing, snapshot = _start(self.exact)
        self.max_seen = top
        self.gaps.clear()
        self.gaps.settle([], missing, snapshot)
        return top

    def read(self) -> tuple[list[LiveEvent], bool]:
        """The events committed since the last read, late ones included, in id order, and
        whether a full batch came (read again at once). Synchronous, as ``start``."""
        read = _read(self.max_seen, self.gaps.ids(), self.exact)
        new: list[int] = []
        expected = self.max_seen + 1
        for event in read.rows:
            if event.pk - expected <= MAX_GAP:
                new.extend(range(expected, event.pk))
            expected = event.pk + 1
        if read.rows:
            self.max_seen = read.rows[-1].pk
        self.gaps.settle([e.pk for e in read.late], new, read.snapshot)
        events = sorted([*read.late, *read.rows], key=lambda e: e.pk)
        return events, len(read.rows) >= log.BATCH


class LogReader:
    """A task that reads the log forward while anyone listens: every ``POLL_SECONDS``, at once
    after a full batch, and at once when this process wrote an event (``wake``); ``handle``
    gets each read's events in id order. The hub and the chat relay are the two kinds."""

    what = "the live event log"  # for the log line when a read fails

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.position = Position()
        self.bell = wake.Bell(loop)  # rung when this process writes an event
        self._task: asyncio.Task[None] | None = None
        self._start = asyncio.Lock()
        self._reading = asyncio.Lock()  # one read at a time: two would deliver rows twice

    @property
    def running(self) -> bool:
        return self._task is not None

    async def start_reading(self) -> None:
        """Start the task unless it runs (the log's position taken first)."""
        async with self._start:
            if self._task is None:
                await database_sync_to_async(self.position.start)()
                self.started()
                wake.listen(self.bell)
                self._task = self.loop.create_task(self._run())

    def stop_reading(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
            wake.forget(self.bell)

    def started(self) -> None:
        """Called once the position is taken, before the first read."""

    async def handle(self, events: list[LiveEvent]) -> None:
        raise NotImplementedError

    async def _run(self) -> None:
        full = False
        while True:
            if not full:
                await self.bell.wait(conf.value("POLL_SECONDS"))
            try:
                full = await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reading %s failed", self.what)
                full = False
                await asyncio.sleep(1)

    async def poll(self) -> bool:
        """Read and hand over what is new; True if a full batch came (read again at once)."""
        async with self._reading:
            events, full = await database_sync_to_async(self.position.read)()
            await self.handle(events)
            return bool(full)


class Hub(LogReader):
    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, clock: Callable[[], float] | None = None
    ) -> None:
        super().__init__(loop)
        # Seconds, monotonic; tests pass their own to move time without sleeping.
        self.clock = clock or conf.now  # tests move it (``conf.use_clock`` or their own)
        self.listeners: set[Listener] = set()
        self.viewers: dict[int, Viewer] = {}
        self._refreshed_at = 0.0

    @property
    def max_seen(self) -> int:
        return self.position.max_seen

    @property
    def gaps(self) -> Gaps:
        return self.position.gaps

    async def join(self, listener: Listener, viewer: Viewer) -> int:
        """Start delivering to ``listener``; return the last event id already read."""
        await self.start_reading()
        self.viewers[viewer.user_id] = viewer
        self.listeners.add(listener)
        return self.max_seen

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self.running:
            self.stop_reading()
            self.viewers.clear()

    def update_viewer(self, viewer: Viewer) -> None:
        self.viewers[viewer.user_id] = viewer

    def started(self) -> None:
        self._refreshed_at = self.clock()

    async def handle(self, events: list[LiveEvent]) -> None:
        if self.clock() - self._refreshed_at >= conf.value("VIEWER_REFRESH_SECONDS"):
            await self.refresh_viewers()
        for event in events:
            await self.fan_out(event)

    async def refresh_viewers(self) -> None:
        """Re-read role, activity and groups of everyone connected; drop who lost access."""
        self._refreshed_at = self.clock()
        asked = {x.user_id for x in self.listeners}
        fresh = await database_sync_to_async(load_viewers)(asked)
        # Sockets that joined while the query ran keep the viewer they joined with.
        self.viewers = {
            **{pk: v for pk, v in self.viewers.items() if pk not in asked},
            **fresh,
        }
        for listener in list(self.listeners):
            if listener.user_id not in asked:
                continue
            viewer = fresh.get(listener.user_id)
            if viewer is None or not viewer.is_staff:
                try:
                    await listener.revoke()
                except Exception:
                    # The client is already gone (the close finds no connection): forget the
                    # socket here, or every later poll of this process would stop at it.
                    logger.info("revoking a closed socket; dropping it", exc_info=True)
                    self.leave(listener)

    async def fan_out(self, event: LiveEvent) -> None:
        for listener in list(self.listeners):
            viewer = self.viewers.get(listener.user_id)
            if viewer is None or not may_receive(viewer, event, watching=listener.watching):
                continue
            try:
                await listener.deliver(event)
            except Exception:
                logger.exception("delivering live event %s failed", event.pk)


_hub: Hub | None = None


def get_hub() -> Hub:
    """This process's hub, bound to the running event loop."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = Hub(loop)
    return _hub
