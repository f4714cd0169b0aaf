"""One reader of the live event log per web process for the visitors' chat sockets.

The workspace's hub (``realtime.hub``) delivers to staff by their scope; a visitor is no user
and sees one ticket only, so its sockets have a reader of their own: the first chat socket
starts it, the last one stops it. Every ``POLL_SECONDS``, or at once when this process wrote
an event (``realtime.wake``), it reads the events committed since its last read — from the
hub's ``Position``, which on PostgreSQL also waits for lower ids still being written — and
hands those of a followed ticket (``message.added``, ``presence``) to the sockets of that
ticket. An agent's reply is written in whatever process made it (a WSGI
worker, the task worker) and reaches the visitor through the log, as it reaches other agents.

The event says only that something changed; the socket then reads the public messages after
the last one it sent (``selectors.transcript``), so a missed event costs nothing but delay: the
next one, or the visitor's reconnection, brings the message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from channels.db import database_sync_to_async

from atiende.realtime import conf, wake
from atiende.realtime.hub import Position
from atiende.realtime.models import LiveEvent

logger = logging.getLogger(__name__)

FOLLOWED_TYPES = ("message.added", "presence")


class Follower(Protocol):
    """A visitor's socket as the relay sees it."""

    async def deliver(self, event: LiveEvent) -> None: ...


class Relay:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.followers: dict[int, set[Follower]] = {}
        self.members: set[Follower] = set()
        self.position = Position()
        self._task: asyncio.Task[None] | None = None
        self._start = asyncio.Lock()
        self.bell = wake.Bell(loop)  # rung when this process writes an event
        self._reading = asyncio.Lock()  # one read at a time: two would deliver rows twice

    @property
    def running(self) -> bool:
        return self._task is not None

    async def join(self, follower: Follower) -> int:
        """Start reading for ``follower``; return the last event id read before it joined."""
        async with self._start:
            if self._task is None:
                await database_sync_to_async(self.position.start)()
                wake.listen(self.bell)
                self._task = self.loop.create_task(self._run())
        self.members.add(follower)
        return self.position.max_seen

    def follow(self, follower: Follower, ticket_id: int | None) -> None:
        """Deliver ``ticket_id``'s events to ``follower`` (``None``: none yet)."""
        for sockets in self.followers.values():
            sockets.discard(follower)
        if ticket_id is not None:
            self.followers.setdefault(ticket_id, set()).add(follower)
        self.followers = {k: v for k, v in self.followers.items() if v}

    def leave(self, follower: Follower) -> None:
        self.follow(follower, None)
        self.members.discard(follower)
        if not self.members and self._task is not None:
            self._task.cancel()
            self._task = None
            wake.forget(self.bell)

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
                logger.exception("reading the live event log for chats failed")
                full = False
                await asyncio.sleep(1)

    async def poll(self) -> bool:
        """Deliver what is new to the sockets that follow its ticket; True for a full batch."""
        async with self._reading:
            return await self._poll()

    async def _poll(self) -> bool:
        rows, full = await database_sync_to_async(self.position.read)()
        for event in rows:
            if event.type not in FOLLOWED_TYPES or event.ticket_id is None:
                continue
            for follower in list(self.followers.get(event.ticket_id, ())):
                try:
                    await follower.deliver(event)
                except Exception:
                    logger.exception("delivering live event %s to a chat failed", event.pk)
        return bool(full)


_relay: Relay | None = None


def get_relay() -> Relay:
    """This process's relay, bound to the running event loop."""
    global _relay
    loop = asyncio.get_running_loop()
    if _relay is None or _relay.loop is not loop:
        _relay = Relay(loop)
    return _relay
