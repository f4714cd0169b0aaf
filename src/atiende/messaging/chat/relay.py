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

from atiende.realtime.hub import LogReader
from atiende.realtime.models import LiveEvent

logger = logging.getLogger(__name__)

FOLLOWED_TYPES = ("message.added", "presence")


class Follower(Protocol):
    """A visitor's socket as the relay sees it."""

    async def deliver(self, event: LiveEvent) -> None: ...


class Relay(LogReader):
    what = "the live event log for chats"

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.followers: dict[int, set[Follower]] = {}
        self.members: set[Follower] = set()

    async def join(self, follower: Follower) -> int:
        """Start reading for ``follower``; return the last event id read before it joined."""
        await self.start_reading()
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
        if not self.members:
            self.stop_reading()

    async def handle(self, events: list[LiveEvent]) -> None:
        """Each event of a followed ticket to the sockets that follow it."""
        for event in events:
            if event.type not in FOLLOWED_TYPES or event.ticket_id is None:
                continue
            for follower in list(self.followers.get(event.ticket_id, ())):
                try:
                    await follower.deliver(event)
                except Exception:
                    logger.exception("delivering live event %s to a chat failed", event.pk)


_relay: Relay | None = None


def get_relay() -> Relay:
    """This process's relay, bound to the running event loop."""
    global _relay
    loop = asyncio.get_running_loop()
    if _relay is None or _relay.loop is not loop:
        _relay = Relay(loop)
    return _relay
