"""One reader of the live event log per web process, fanning events out to its sockets.

The first socket starts the reader (an asyncio task), the last one stops it. Every
``POLL_SECONDS`` it reads ``id > last ORDER BY id`` (a range scan of the primary key) and hands
each event to the sockets whose user may receive it. Ids missing between two seen ids are
looked up again for ``GAP_GRACE_SECONDS``: on PostgreSQL a row with a lower id can commit after
one with a higher id. See ``docs/decisions/0002-realtime-across-processes.md``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from channels.db import database_sync_to_async

from atiende.realtime import conf, log
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


def _read(after: int, gaps: list[int]) -> tuple[list[LiveEvent], list[LiveEvent]]:
    return log.events_after(after), log.events_by_id(gaps) if gaps else []


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.listeners: set[Listener] = set()
        self.viewers: dict[int, Viewer] = {}
        self.max_seen = 0
        self.gaps: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._start = asyncio.Lock()
        self._refreshed_at = 0.0

    @property
    def running(self) -> bool:
        return self._task is not None

    async def join(self, listener: Listener, viewer: Viewer) -> int:
        """Start delivering to ``listener``; return the last event id already read."""
        async with self._start:
            if self._task is None:
                self.max_seen = await database_sync_to_async(log.latest_id)()
                self.gaps.clear()
                self._refreshed_at = conf.now()
                self._task = self.loop.create_task(self._run())
        self.viewers[viewer.user_id] = viewer
        self.listeners.add(listener)
        return self.max_seen

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)
        if not self.listeners and self._task is not None:
            self._task.cancel()
            self._task = None
            self.viewers.clear()

    def update_viewer(self, viewer: Viewer) -> None:
        self.viewers[viewer.user_id] = viewer

    async def _run(self) -> None:
        full = False
        while True:
            if not full:
                await asyncio.sleep(conf.value("POLL_SECONDS"))
            try:
                full = await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("reading the live event log failed")
                full = False
                await asyncio.sleep(1)

    async def poll(self) -> bool:
        """Read and deliver what is new; True if a full batch came (read again at once)."""
        now = conf.now()
        rows, late = await database_sync_to_async(_read)(self.max_seen, sorted(self.gaps))
        for event in late:
            self.gaps.pop(event.pk, None)
        expected = self.max_seen + 1
        for event in rows:
            if event.pk - expected <= MAX_GAP:
                for missing in range(expected, event.pk):
                    self.gaps.setdefault(missing, now)
            expected = event.pk + 1
        if rows:
            self.max_seen = rows[-1].pk
        grace = conf.value("GAP_GRACE_SECONDS")
        self.gaps = {pk: t for pk, t in self.gaps.items() if now - t < grace}
        if now - self._refreshed_at >= conf.value("VIEWER_REFRESH_SECONDS"):
            await self.refresh_viewers()
        for event in sorted([*late, *rows], key=lambda e: e.pk):
            await self.fan_out(event)
        return len(rows) >= log.BATCH

    async def refresh_viewers(self) -> None:
        """Re-read role, activity and groups of everyone connected; drop who lost access."""
        self._refreshed_at = conf.now()
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
