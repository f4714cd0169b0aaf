"""The visitor's WebSocket at ``/ws/chat/<widget public id>/`` (protocol in docs/admin/chat.md).

client → server: ``hello`` {token, last_id, page_url, referrer, language} first; then
``start`` {fields}, ``message`` {client_id, text, attachment_ids, quick_reply}, ``typing``,
``contact`` {email, name}, ``end``, ``ping``.
server → client: ``welcome`` {token, messages, state, agents_available, email_known, missing,
max_upload, quick_replies, handled_by}; ``messages`` {messages}; ``ack`` {client_id, id,
duplicate, files (a message with files: each with its link)}; ``bot`` {quick_replies,
articles, handed_over, agents_available}; ``refused`` {client_id, code, detail};
``slow_down`` {retry_after}; ``typing`` {from, name}; ``started``; ``contact_saved``;
``ended``; ``pong``; ``error`` {code, detail, field}.

The page's ``Origin`` must be one of the widget's allowed origins (or this Atiende's own host):
others are closed with 4403, an unknown or inactive widget with 4404.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from atiende.core.errors import AtiendeError
from atiende.messaging.chat import config, limits, posting, selectors, services
from atiende.messaging.chat.bot import services as bot_services
from atiende.messaging.chat.relay import Relay, get_relay
from atiende.messaging.models import ChatHandler, ChatSession, ChatWidget
from atiende.realtime import conf
from atiende.realtime.models import LiveEvent

logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN = 4404
SEEN_EVERY = 20.0


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _error(error: AtiendeError) -> dict[str, Any]:
    field = error.errors[0].field if error.errors else None
    return {"code": error.code, "detail": str(error.detail), "field": field}


class VisitorConsumer(AsyncWebsocketConsumer):
    widget: ChatWidget | None = None
    session: ChatSession | None = None
    relay: Relay | None = None
    token = ""

    async def connect(self) -> None:
        await self.accept()
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        widget = await database_sync_to_async(selectors.active_widget)(public_id)
        if widget is None:
            await self.close(code=CLOSE_UNKNOWN)
            return
        origin = _header(self.scope, b"origin")
        host = urlsplit(f"//{_header(self.scope, b'host')}").hostname or ""
        if not config.origin_allowed(origin, widget.allowed_origins, own_host=host):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.widget = widget
        self.lock = asyncio.Lock()
        self.last_sent: int | None = None
        self.greeted = False
        self.typing_at = -1e9
        self.seen_at = conf.now()

    async def disconnect(self, code: int) -> None:
        if self.relay is not None:
            self.relay.leave(self)
            self.relay = None
        if self.session is not None:
            await database_sync_to_async(services.note_seen)(self.session.pk, online=False)

    # ---- frames ----------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.widget is None:
            return
        try:
            text = text_data or ""
            frame = json.loads(text) if len(text) <= config.MAX_FRAME else None
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_json({"type": "error", "code": "bad_message"})
            return
        kind = frame["type"]
        # Messages have their own bucket, and each refused one is answered by its client id.
        if kind != "message" and limits.frames.take(
            self.limit_key,
            burst=config.value("FRAME_BURST"),
            rate=config.value("FRAMES_PER_SECOND"),
        ):
            await self.send_json({"type": "error", "code": "slow_down"})
            return
        if kind == "hello":
            await self.hello(frame)
        elif not self.greeted:
            await self.send_json({"type": "error", "code": "hello_first"})
        elif kind == "message":
            await self.message(frame)
        elif kind == "typing":
            await self.typing()
        elif kind == "ping":
            await self.ping()
        elif kind in ("start", "contact", "end"):
            await self.change(kind, frame)
        else:
            await self.send_json({"type": "error", "code": "unknown_type"})

    @property
    def limit_key(self) -> str:
        return selectors.digest(self.token) if self.token else f"socket-{id(self)}"

    def visitor(self, frame: dict[str, Any]) -> services.Visitor:
        user = self.scope.get("user")
        signed_in = user is not None and user.is_authenticated
        return services.Visitor(
            page_url=frame.get("page_url") or "",
            referrer=frame.get("referrer") or "",
            user_agent=_header(self.scope, b"user-agent"),
            language=frame.get("language") or "",
            user_id=user.pk if signed_in else None,
        )

    async def hello(self, frame: dict[str, Any]) -> None:
        assert self.widget is not None
        last_id = frame.get("last_id")
        if last_id is not None and (
            not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 0
        ):
            await self.send_json({"type": "error", "code": "bad_last_id"})
            return
        token = frame.get("token")
        session = await database_sync_to_async(selectors.session_for)(self.widget, token)
        self.visiting = self.visitor(frame)
        if session is not None:
            self.token = str(token)
            session = await database_sync_to_async(services.open_chat)(
                self.widget, self.token, self.visiting
            )
        elif not self.token:
            self.token = services.new_token()
        self.session = session
        if self.relay is None:
            self.relay = get_relay()
            await self.relay.join(self)
        self.relay.follow(self, session.ticket_id if session else None)
        self.greeted = True
        async with self.lock:
            missed = await self.read_transcript(last_id if last_id else None)
            about = await database_sync_to_async(services.welcome)(
                session, self.widget, self.visiting
            )
            await self.send_json(
                {"type": "welcome", "token": self.token, "messages": missed, **about}
            )

    async def ensure_session(self) -> ChatSession:
        assert self.widget is not None
        if self.session is None:
            self.session = await database_sync_to_async(services.open_chat)(
                self.widget, self.token, self.visiting
            )
        return self.session

    async def reload(self) -> bool:
        """Read the chat again; True when it moved to another ticket (its first message, or a
        follow-up of a closed one): the caller then catches up, since the relay may have read
        that ticket's first events before it followed them."""
        assert self.widget is not None and self.relay is not None
        before = self.session.ticket_id if self.session else None
        session: ChatSession | None = await database_sync_to_async(selectors.session_for)(
            self.widget, self.token
        )
        assert session is not None
        self.session = session
        self.relay.follow(self, session.ticket_id)
        return session.ticket_id != before

    async def catch_up(self) -> None:
        async with self.lock:
            missed = await self.read_transcript(self.last_sent)
            if missed:
                await self.send_json({"type": "messages", "messages": missed})

    async def message(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        wait = limits.messages.take(
            self.limit_key,
            burst=config.value("MESSAGE_BURST"),
            rate=config.value("MESSAGES_PER_SECOND"),
        )
        if wait:
            if not getattr(self, "slowed", False):
                self.slowed = True
                await self.send_json({"type": "slow_down", "retry_after": round(wait, 1)})
            await self.send_json(
                {
                    "type": "refused",
                    "client_id": client_id,
                    "code": "slow_down",
                    "detail": _("You are sending messages too fast; wait a moment."),
                    "retry_after": round(wait, 1),
                }
            )
            return
        self.slowed = False
        session = await self.ensure_session()
        try:
            posted = await database_sync_to_async(posting.post_message)(
                session,
                client_id=client_id,
                text=frame.get("text"),
                attachment_ids=frame.get("attachment_ids"),
            )
        except AtiendeError as error:
            await self.send_json({"type": "refused", "client_id": client_id, **_error(error)})
            return
        moved = await self.reload()
        assert self.session is not None
        ack: dict[str, Any] = {
            "type": "ack",
            "client_id": client_id,
            "id": posted.message_id,
            "duplicate": posted.duplicate,
        }
        if frame.get("attachment_ids"):  # the visitor's own files, now with their links
            files = await database_sync_to_async(selectors.message_files)(
                self.session, [posted.message_id]
            )
            ack["files"] = files.get(posted.message_id, [])
        await self.send_json(ack)
        if moved:
            await self.catch_up()
        # The chat as just read again: no bot turn (nor its thread hop) for a chat it left.
        if not posted.duplicate and self.session.handled_by == ChatHandler.BOT:
            await self.bot_answers(posted.message_id, frame.get("quick_reply"))

    async def bot_answers(self, message_id: int, quick_reply: Any) -> None:
        """The bot's turn on the visitor's message (only while the bot handles the chat): its
        replies go out as transcript messages, then its buttons and articles in a ``bot`` frame.
        A failing bot never costs the visitor their message: it is written, and people see it.
        """
        assert self.session is not None
        code = quick_reply if isinstance(quick_reply, str) and len(quick_reply) <= 16 else None
        try:
            turn = await database_sync_to_async(bot_services.answer)(
                self.session.pk, message_id, quick_reply=code
            )
        except Exception:
            logger.exception("the chat bot failed on message %s", message_id)
            return
        if turn is None:
            return
        await self.catch_up()
        await self.send_json(
            {
                "type": "bot",
                "quick_replies": turn.quick_replies,
                "articles": turn.articles,
                "handed_over": turn.handed_over,
                "agents_available": turn.agents_available,
            }
        )

    async def change(self, kind: str, frame: dict[str, Any]) -> None:
        session = await self.ensure_session()
        try:
            if kind == "start":
                await database_sync_to_async(services.answer_prechat)(session, frame.get("fields"))
                answer: dict[str, Any] = {"type": "started"}
            elif kind == "contact":
                await database_sync_to_async(services.give_email)(
                    session, frame.get("email"), frame.get("name") or ""
                )
                answer = {"type": "contact_saved", "email_known": True}
            else:
                await database_sync_to_async(services.end_chat)(session)
                answer = {"type": "ended"}
        except AtiendeError as error:
            await self.send_json({"type": "error", **_error(error)})
            return
        await self.reload()
        await self.send_json(answer)

    async def typing(self) -> None:
        now = conf.now()
        if self.session is None or now - self.typing_at < config.value("TYPING_GAP_SECONDS"):
            return
        self.typing_at = now
        try:
            await database_sync_to_async(services.visitor_typing)(self.session)
        except AtiendeError:
            return

    async def ping(self) -> None:
        now = conf.now()
        if self.session is not None and now - self.seen_at >= SEEN_EVERY:
            self.seen_at = now
            await database_sync_to_async(services.note_seen)(self.session.pk, online=True)
        await self.send_json({"type": "pong"})

    # ---- from the relay --------------------------------------------------------------------

    async def deliver(self, event: LiveEvent) -> None:
        payload = event.payload
        if event.type == "message.added" and payload.get("public"):
            await self.catch_up()
        elif event.type == "presence" and "visitor" not in payload:
            typing = [v for v in payload.get("viewers", []) if v.get("typing")]
            if typing:
                name = selectors.agent_name(str(typing[0].get("name", "")))
                await self.send_json({"type": "typing", "from": "agent", "name": name})

    async def read_transcript(self, after: int | None) -> list[dict[str, Any]]:
        """The messages after ``after``; remembers the last one sent (callers hold the lock)."""
        if self.session is None:
            return []
        session = self.session
        lines: list[dict[str, Any]] = await database_sync_to_async(selectors.transcript)(
            session, after=after
        )
        if lines:
            self.last_sent = max(self.last_sent or 0, lines[-1]["id"])
        elif after is not None:
            self.last_sent = max(self.last_sent or 0, after)
        return lines

    async def send_json(self, content: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(content, separators=(",", ":")))
