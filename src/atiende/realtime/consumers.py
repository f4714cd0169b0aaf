"""The workspace's WebSocket at ``/ws/``: live ticket events, notifications and presence.

Protocol (JSON text frames):

- client → server: ``{"type": "hello", "last_id": N}`` once connected (N is the last event id
  the page processed, or ``null`` for none); ``{"type": "watch", "ticket_id": N}`` on a ticket
  page, repeated as a heartbeat (``null`` stops watching); ``{"type": "typing", "ticket_id": N}``.
- server → client: events ``{"type": <event type>, "id": <log id>, ...payload}``; after
  ``hello`` the missed events are replayed, then ``{"type": "welcome", "id": N}``; or
  ``{"type": "reload", "id": N}`` when too much was missed to replay (purged or too many);
  ``{"type": "error", "code": ...}`` for a bad message.

Only active agents and admins may connect; others are closed with 4401 (signed out) or 4403.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from atiende.accounts.services import note_seen
from atiende.realtime import conf, log, presence
from atiende.realtime.access import Viewer, load_viewers, may_receive
from atiende.realtime.hub import Hub, get_hub
from atiende.realtime.models import LiveEvent

CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
MAX_FRAME = 4096
MAX_BUFFER = 1000


def _load_viewer(user_id: int) -> Viewer | None:
    return load_viewers([user_id]).get(user_id)


def _replay(last_id: int, up_to: int) -> tuple[str, list[LiveEvent]]:
    """The events a reconnecting page missed: ("ok", events), ("reload", []) or ("reset", [])."""
    if last_id > up_to:
        # Ahead of this process (another one read further) or a log that was reset.
        return ("reset" if last_id > log.latest_id() else "ok"), []
    oldest = log.oldest_id()
    if oldest is not None and last_id < oldest - 1:
        return "reload", []
    limit = int(conf.value("REPLAY_LIMIT"))
    events = log.events_after(last_id, up_to=up_to, limit=limit + 1)
    if len(events) > limit:
        return "reload", []
    return "ok", events


def _depart(ticket_id: int) -> None:
    ticket = presence.routing(ticket_id)
    if ticket is not None:
        presence.announce(ticket)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return value
    return None


class LiveConsumer(AsyncWebsocketConsumer):
    user_id: int
    watching: int | None = None
    hub: Hub | None = None

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        viewer = await database_sync_to_async(_load_viewer)(user.pk)
        if viewer is None or not viewer.is_staff:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        self.connection = uuid.uuid4().hex
        self.watched: presence.TicketRouting | None = None
        # Events wait here until ``hello`` says what the page already has.
        self.buffer: list[LiveEvent] | None = []
        self.overflow = False
        self.last_seen: dict[str, float] = {}
        self.hub = get_hub()
        await self.hub.join(self, viewer)

    async def disconnect(self, code: int) -> None:
        if self.hub is None:
            return
        self.hub.leave(self)
        self.hub = None
        left = await database_sync_to_async(presence.leave)(connection=self.connection)
        if left is not None:
            await database_sync_to_async(_depart)(left)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.hub is None:
            return
        try:
            message = json.loads(text_data or "") if len(text_data or "") <= MAX_FRAME else None
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        kind = message["type"]
        if kind == "hello":
            last_id = message.get("last_id")
            if last_id is not None and (
                not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 0
            ):
                await self.send_json({"type": "error", "code": "bad_last_id"})
                return
            await self.hello(last_id)
        elif kind == "watch":
            ticket_id = message.get("ticket_id")
            if ticket_id is None:
                await self.unwatch()
            elif (number := _positive_int(ticket_id)) is None:
                await self.send_json({"type": "error", "code": "bad_ticket_id"})
            elif not self.too_soon(f"watch-{number}"):
                await self.watch(number)
        elif kind == "typing":
            if self.watched is None or message.get("ticket_id") != self.watching:
                await self.send_json({"type": "error", "code": "not_watching"})
                return
            if self.too_soon("typing"):
                return
            await database_sync_to_async(note_seen)(self.user_id)
            if await database_sync_to_async(presence.typing)(
                connection=self.connection, ticket_id=self.watched.pk
            ):
                await database_sync_to_async(presence.announce)(self.watched)
        else:
            await self.send_json({"type": "error", "code": "unknown_type"})

    async def hello(self, last_id: int | None) -> None:
        """Replay what the page missed since ``last_id``, then switch to live delivery.

        ``None`` means the page knows no position: it gets what happens from now on.
        """
        assert self.hub is not None
        if self.buffer is None:
            self.buffer = []
        viewer = await database_sync_to_async(_load_viewer)(self.user_id)
        if viewer is None or not viewer.is_staff:
            await self.revoke()
            return
        self.hub.update_viewer(viewer)
        # A page loaded in the workspace is the agent's activity: assignment's "away" reads it.
        await database_sync_to_async(note_seen)(self.user_id)
        up_to = self.hub.max_seen
        outcome, missed = "ok", []
        if last_id is not None:
            outcome, missed = await database_sync_to_async(_replay)(last_id, up_to)
        for event in missed:
            if event.type != "presence" and may_receive(viewer, event, watching=None):
                await self.send_event(event)
        buffered, self.buffer = self.buffer, None
        if outcome == "reload" or self.overflow:
            self.overflow = False
            await self.send_json({"type": "reload", "id": up_to})
        else:
            await self.send_json({"type": "welcome", "id": up_to, "reset": outcome == "reset"})
        replayed = {event.pk for event in missed}
        for event in buffered:
            # Past the replay, or a late commit below it (PostgreSQL) the replay did not see.
            if (
                last_id is None
                or event.pk > up_to
                or (event.pk > last_id and event.pk not in replayed)
            ):
                await self.send_event(event)

    async def watch(self, ticket_id: int) -> None:
        ticket = await database_sync_to_async(presence.watched_ticket)(self.user_id, ticket_id)
        if ticket is None:
            await self.send_json({"type": "error", "code": "not_found", "ticket_id": ticket_id})
            return
        changed, left = await database_sync_to_async(presence.watch)(
            connection=self.connection, user_id=self.user_id, ticket=ticket
        )
        self.watching, self.watched = ticket_id, ticket
        if left is not None:
            await database_sync_to_async(_depart)(left)
        if changed:
            await database_sync_to_async(presence.announce)(ticket)
        else:
            # A heartbeat: answer this socket alone, so departures missed (a dead process,
            # an expired row) clear from its screen within one heartbeat.
            people = await database_sync_to_async(presence.viewers)(ticket_id)
            await self.send_json(
                {"type": "presence", "id": None, "ticket_id": ticket_id, "viewers": people}
            )

    async def unwatch(self) -> None:
        self.watching, self.watched = None, None
        left = await database_sync_to_async(presence.leave)(connection=self.connection)
        if left is not None:
            await database_sync_to_async(_depart)(left)

    def too_soon(self, what: str) -> bool:
        """Whether ``what`` repeats within ``CLIENT_GAP_SECONDS`` (then it is dropped).

        A page reports typing at most every 3 s and beats every 15 s; a misbehaving one cannot
        turn its socket into a stream of database writes.
        """
        gap = conf.value("CLIENT_GAP_SECONDS")
        now = conf.now()
        if now - self.last_seen.get(what, -gap) < gap:
            return True
        self.last_seen[what] = now
        return False

    # Listener protocol, called by the hub.

    async def deliver(self, event: LiveEvent) -> None:
        if self.buffer is not None:
            if len(self.buffer) < MAX_BUFFER:
                self.buffer.append(event)
            else:
                self.overflow = True
            return
        await self.send_event(event)

    async def revoke(self) -> None:
        """The user lost access (suspended, no longer staff): close at once.

        The hub already stops delivering (the refreshed viewer may receive nothing); the
        cleanup runs in ``disconnect`` when the client acknowledges the close.
        """
        await self.close(code=CLOSE_FORBIDDEN)

    async def send_event(self, event: LiveEvent) -> None:
        await self.send_json({**event.payload, "type": event.type, "id": event.pk})

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, separators=(",", ":")))
