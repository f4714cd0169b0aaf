"""The visitor's side of a chat, apart from its messages (``posting``): the chat opened with
what the page says of it, the pre-chat answers, an email given later, typing, the end.

The only writers of ``ChatSession`` (with ``posting`` and ``subscribers``; the bot's hand-over
is ``hand_to_queue``). A visitor is known
by a random token the widget keeps in the visitor's browser; only its digest is stored.

A chat's ticket is assigned only once the chat is the team's: ``queue_chat`` announces it
(``ChatQueued``) when a chat opens without a bot, and ``hand_to_queue`` when the bot hands over;
assignment subscribes to that event, not to the ticket's creation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts import services as accounts
from atiende.accounts.models import User
from atiende.accounts.services.common import clean_email
from atiende.core.actor import Actor, Source
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.event_types import ChatQueued
from atiende.core.events import publish
from atiende.core.text import clean_text
from atiende.messaging.chat import config
from atiende.messaging.chat.selectors import digest
from atiende.messaging.models import ChatHandler, ChatSession, ChatState, ChatWidget
from atiende.realtime import log, presence
from atiende.tickets import services as tickets

TOKEN_BYTES = 24
MAX_ANSWER = 500
ACTOR_PREFIX = "chat:"


def channel_actor(widget: ChatWidget) -> Actor:
    """The chat channel acting for the visitor (tickets opened, messages posted)."""
    return Actor(user=None, source=Source.CHANNEL, detail=f"{ACTOR_PREFIX}{widget.pk}")


def opened_by_widget(source: str, detail: str) -> bool:
    """Whether a change came from a chat widget (``channel_actor``): its ticket is assigned
    when the chat is queued (``ChatQueued``), not when it opens."""
    return source == Source.CHANNEL and detail.startswith(ACTOR_PREFIX)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class Visitor:
    """What the visitor's page says of itself, and who is signed in (same-site session)."""

    page_url: str = ""
    referrer: str = ""
    user_agent: str = ""
    language: str = ""
    user_id: int | None = None


def _cut(value: Any, limit: int) -> str:
    return clean_text(value).strip()[:limit] if isinstance(value, str) else ""


def _visitor_columns(visitor: Visitor) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "page_url": _cut(visitor.page_url, 2000),
        "referrer": _cut(visitor.referrer, 2000),
        "user_agent": _cut(visitor.user_agent, 500),
    }
    language = _cut(visitor.language, 8).lower()[:2]
    if language in ("es", "en"):
        columns["language"] = language
    return {name: value for name, value in columns.items() if value}


def signed_in_customer(user_id: int | None) -> User | None:
    """The portal customer behind a same-site session; staff testing the widget are visitors."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user if user is not None and user.is_customer else None


def open_chat(widget: ChatWidget, token: str, visitor: Visitor) -> ChatSession:
    """The chat of ``token`` on ``widget``, created when new; the page it is on now recorded.

    A signed-in portal customer is its customer from the start.
    """
    key = digest(token)
    columns = _visitor_columns(visitor)
    customer = signed_in_customer(visitor.user_id)
    with transaction.atomic():
        # A write first: on SQLite it takes the write lock before the read, so two sockets
        # of one visitor never both create the row.
        updated = ChatSession.objects.filter(widget=widget, token_digest=key).update(
            visitor_seen_at=timezone.now(), **columns
        )
        if not updated:
            ChatSession.objects.create(
                widget=widget,
                token_digest=key,
                visitor_key=secrets.token_hex(8),
                handled_by=ChatHandler.BOT if widget.bot_enabled else ChatHandler.QUEUE,
                customer=customer,
                visitor_seen_at=timezone.now(),
                **columns,
            )
        session = ChatSession.objects.select_related("customer", "ticket").get(
            widget=widget, token_digest=key
        )
        if customer is not None and session.customer_id is None:
            session.customer = customer
            session.save(update_fields=["customer"])
    return session


def answer_prechat(session: ChatSession, answers: Any) -> ChatSession:
    """Record the pre-chat form; every required field must be answered, the email valid."""
    if not isinstance(answers, dict):
        raise Invalid.field("fields", _("The form's answers are missing."))
    errors = ErrorCollector()
    values: dict[str, str] = {}
    for field in session.widget.prechat_fields:
        key = field["key"]
        value = _cut(answers.get(key, ""), MAX_ANSWER)
        if not value and field.get("required"):
            errors.add(key, _("This field is required."))
        elif value and key == "email":
            try:
                value = clean_email(value, key)
            except Invalid as error:
                errors.errors.extend(error.errors)
                continue
        values[key] = value
    errors.raise_if_any()
    with transaction.atomic():
        row = ChatSession.objects.select_for_update().get(pk=session.pk)
        row.name = values.pop("name", "") or row.name
        row.email = values.pop("email", "") or row.email
        row.details = {**row.details, **{k: v for k, v in values.items() if v}}
        row.save(update_fields=["name", "email", "details"])
    return row


def missing_answers(session: ChatSession) -> list[str]:
    """The required pre-chat fields this visitor has not answered (a signed-in customer's
    name and email are known)."""
    known = {
        "name": session.name or (session.customer.name if session.customer else ""),
        "email": session.email or (session.customer.email if session.customer else ""),
    }
    missing = []
    for field in session.widget.prechat_fields:
        key = field["key"]
        if field.get("required") and not (known.get(key) or session.details.get(key)):
            missing.append(key)
    return missing


def give_email(session: ChatSession, email: Any, name: Any = "") -> ChatSession:
    """An email for the team's follow-up: on the chat, and on its customer when they had none.

    A customer known only as an anonymous visitor takes the address; when the address is
    someone's already, the chat's ticket moves to that person (the visitor said it is them,
    as a pre-chat form would have).
    """
    address = clean_email(email if isinstance(email, str) else "", "email")
    given_name = _cut(name, 200)
    with transaction.atomic():
        row = ChatSession.objects.select_for_update().select_related("widget").get(pk=session.pk)
        row.email, row.name = address, given_name or row.name
        customer = row.customer
        if customer is not None and not customer.email:
            actor = channel_actor(row.widget)
            owner = User.objects.filter(email=address).first()
            if owner is None:
                accounts.update_user(actor, user_id=customer.pk, changes={"email": address})
            elif owner.pk != customer.pk:
                tickets.reassign_requester(actor, from_user=customer, to_user=owner)
                row.customer = owner
        row.save(update_fields=["email", "name", "customer"])
    return row


def note_seen(session_id: int, *, online: bool) -> None:
    """The visitor's socket spoke (``online``) or closed: whether a reply mail is needed."""
    ChatSession.objects.filter(pk=session_id).update(
        visitor_seen_at=timezone.now() if online else None
    )


def end_chat(session: ChatSession) -> None:
    """The visitor closed the chat; the ticket stays open for the team."""
    ChatSession.objects.filter(pk=session.pk).exclude(state=ChatState.ENDED).update(
        state=ChatState.ENDED, ended_at=timezone.now()
    )


def queue_chat(actor: Actor, *, session: ChatSession, reason: str = "") -> None:
    """Announce that the chat's ticket waits for the team (``ChatQueued``, in the caller's
    transaction): automatic assignment gives it to an agent now."""
    if session.ticket_id is None:
        return
    publish(
        ChatQueued(
            ticket_id=session.ticket_id,
            session_id=session.pk,
            widget_id=session.widget_id,
            reason=str(reason),
            actor_id=actor.user_id,
            source=actor.source.value,
            source_detail=actor.detail,
        )
    )


def hand_to_queue(actor: Actor, *, session_id: int, reason: str) -> bool:
    """The bot hands the chat over to the team (only while the bot has it: an agent who took
    it up meanwhile keeps it), and the chat is queued for assignment; True when it did."""
    handed = ChatSession.objects.filter(pk=session_id, handled_by=ChatHandler.BOT).update(
        handled_by=ChatHandler.QUEUE
    )
    if handed:
        queue_chat(actor, session=ChatSession.objects.get(pk=session_id), reason=reason)
    return bool(handed)


def visitor_typing(session: ChatSession) -> None:
    """Tell the agents on the chat's ticket page that the visitor types (a ``presence`` event:
    only the sockets showing that ticket receive it). Ephemeral: nothing of it is kept
    beyond the live log's retention."""
    if session.ticket_id is None:
        return
    ticket = presence.routing(session.ticket_id)
    if ticket is None:
        raise NotFound(_("The chat's ticket is gone."))
    log.append(
        "presence",
        payload={
            "ticket_id": ticket.pk,
            "viewers": presence.viewers(ticket.pk),
            "visitor": {"typing": True},
        },
        ticket_id=ticket.pk,
        group_id=ticket.group_id,
        assignee_id=ticket.assignee_id,
        requester_id=ticket.requester_id,
    )


def welcome(session: ChatSession | None, widget: ChatWidget, visitor: Visitor) -> dict[str, Any]:
    """What the widget needs to know on (re)connecting, apart from the transcript: with the
    bot's buttons still unanswered (``quick_replies``) and who answers the chat now."""
    from atiende.messaging.chat.bot.selectors import pending_quick_replies
    from atiende.messaging.chat.selectors import agents_available

    if session is None:  # nothing written yet: what the form would need, and who is signed in
        session = ChatSession(
            widget=widget,
            customer=signed_in_customer(visitor.user_id),
            handled_by=ChatHandler.BOT if widget.bot_enabled else ChatHandler.QUEUE,
        )
    customer = session.customer
    email = session.email or (customer.email if customer is not None else "") or ""
    return {
        "state": session.state if session.pk else None,
        "started": session.ticket_id is not None,
        "agents_available": agents_available(widget),
        "email_known": bool(email),
        "missing": missing_answers(session),
        "max_upload": config.max_upload(),
        "quick_replies": pending_quick_replies(session) if session.pk else [],
        "handled_by": session.handled_by,
    }
