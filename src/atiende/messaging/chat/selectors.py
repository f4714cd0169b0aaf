"""Reads of the live chat: a chat by its visitor's token, the transcript as the visitor sees
it, and whether anyone of the widget's team is there to answer.

The transcript is the ticket's public conversation (never internal notes), read by the
system's scope: the visitor proves who they are with their token, not with a sign-in.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from atiende.accounts.models import AgentAvailability, AgentStatus, OutOfOffice, Role
from atiende.accounts.selectors import available_members, away_after
from atiende.core.actor import Actor
from atiende.messaging.chat import config, file_links
from atiende.messaging.models import ChatHandler, ChatSession, ChatWidget
from atiende.tickets.models import Direction, Message
from atiende.tickets.selectors import files_of_messages, public_conversation, visible_tickets

READER = Actor.system("chat")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_widget(public_id: str) -> ChatWidget | None:
    if not public_id or len(public_id) > 32:
        return None
    return ChatWidget.objects.filter(public_id=public_id, active=True).first()


def session_for(widget: ChatWidget, token: str | None) -> ChatSession | None:
    """The chat of ``widget`` whose visitor holds ``token``; ``None`` for an unknown token."""
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    return (
        ChatSession.objects.select_related("customer", "ticket")
        .filter(widget=widget, token_digest=digest(token))
        .first()
    )


def session_of_ticket(ticket_id: int) -> ChatSession | None:
    """The newest chat written into ``ticket_id`` (the ticket page's visitor panel)."""
    return (
        ChatSession.objects.select_related("widget")
        .filter(ticket_id=ticket_id)
        .order_by("-pk")
        .first()
    )


def waits_for_bot(ticket_id: int) -> bool:
    """Whether the bot still answers a chat written into ``ticket_id``: its ticket is then
    nobody's to assign (the hand-over queues it)."""
    return ChatSession.objects.filter(ticket_id=ticket_id, handled_by=ChatHandler.BOT).exists()


def bot_answers_ticket() -> Exists:
    """``waits_for_bot`` as a condition on a ticket query (``OuterRef("pk")``: the ticket), for
    the assignment's backlog: one indexed probe per candidate ticket."""
    return Exists(ChatSession.objects.filter(ticket_id=OuterRef("pk"), handled_by=ChatHandler.BOT))


def agents_available(widget: ChatWidget) -> bool:
    """Whether an agent of the widget's group is online now (the assignment's own test: status
    online, active recently, not out of office); any agent for a widget without a group."""
    now = timezone.now()
    if widget.group_id is not None:
        return bool(available_members(widget.group_id, now))
    away = OutOfOffice.objects.filter(starts_at__lte=now, ends_at__gt=now).values("user_id")
    return (
        AgentAvailability.objects.filter(
            status=AgentStatus.ONLINE,
            last_seen_at__gte=now - away_after(),
            user__is_active=True,
            user__role__in=(Role.AGENT, Role.ADMIN),
        )
        .exclude(user_id__in=away)
        .exists()
    )


def visitor_reads_along(ticket_id: int) -> bool:
    """Whether the visitor of a chat on ``ticket_id`` has a socket open now (replies reach
    them in the widget; a mail would repeat them)."""
    since = timezone.now() - timedelta(seconds=config.value("ONLINE_SECONDS"))
    return ChatSession.objects.filter(ticket_id=ticket_id, visitor_seen_at__gte=since).exists()


def transcript(session: ChatSession, *, after: int | None) -> list[dict[str, Any]]:
    """The public messages of the chat's ticket after message id ``after``, oldest first."""
    if session.ticket_id is None:
        return []
    if not visible_tickets(READER).filter(pk=session.ticket_id).exists():
        return []
    limit = int(config.value("CATCH_UP_LIMIT"))
    # A first visit gets the newest messages; a reconnection what came after its last one.
    rows = public_conversation(session.ticket_id, after=after, limit=limit)
    files = message_files(session, [m.pk for m in rows])
    return [line(message, session, files.get(message.pk, [])) for message in rows]


def message_files(session: ChatSession, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The files of the chat's messages ``message_ids`` (public ones: the transcript's), each
    with its name, size and a signed link for this chat's visitor (``file_links``)."""
    files: dict[int, list[dict[str, Any]]] = {}
    if not message_ids:
        return files
    for attachment in files_of_messages(message_ids):
        assert attachment.message_id is not None
        files.setdefault(attachment.message_id, []).append(
            {
                "id": attachment.pk,
                "name": attachment.filename,
                "size": attachment.size,
                "url": file_links.link(session.pk, attachment),
            }
        )
    return files


def line(message: Message, session: ChatSession, files: list[dict[str, Any]]) -> dict[str, Any]:
    """One message as the widget shows it: who ("visitor", "agent", or "bot" for an outbound
    message nobody wrote: the chat's bot), text, files, time."""
    mine = message.direction == Direction.INBOUND and message.author_id == session.customer_id
    author = message.author
    bot = message.direction == Direction.OUTBOUND and message.author_id is None
    return {
        "id": message.pk,
        "from": "visitor" if mine else "bot" if bot else "agent",
        "name": "" if mine or author is None else agent_name(author.name),
        "text": message.body_text,
        "files": files,
        "at": message.created_at.isoformat(),
    }


def agent_name(full_name: str) -> str:
    """What the visitor sees of an agent: the first name only, never an address."""
    words = full_name.split()
    return words[0] if words else ""
