"""Which ticket a reply belongs to, and whether its sender may write there.

Tried in order: In-Reply-To / References against every Message-ID we know for a ticket
(`ThreadKey`: every inbound message and every outbound mail leaves one), then Outlook's
Thread-Index conversation, then our own subject tag ``[#1042]``. Never the subject text
alone: two customers writing "Invoice" are two conversations. A match counts only when the
sender is the ticket's requester, one of its followers, or an agent who can see it;
otherwise a forged In-Reply-To would let anyone post into someone else's ticket, so the mail
opens a new ticket instead.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from django.conf import settings

from atiende.accounts.models import User
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound import store
from atiende.messaging.models import ThreadKey
from atiende.messaging.system import READER
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import can_see_ticket, ticket_for_threading, visible_tickets

CONVERSATION_BYTES = 22  # Thread-Index: 6-byte time + 16-byte GUID name the conversation
MAX_REFERENCES = 50
MAX_MERGE_HOPS = 10


def tag_prefix() -> str:
    """The prefix of our subject tag: ``[#1042]`` by default (``ATIENDE_MAIL_TAG_PREFIX``)."""
    return str(getattr(settings, "ATIENDE_MAIL_TAG_PREFIX", "#"))


def ticket_tag(number: int) -> str:
    """The tag outbound mail puts in the subject, e.g. ``[#1042]``."""
    return f"[{tag_prefix()}{number}]"


def tag_number(subject: str) -> int | None:
    """The ticket number of our own tag in ``subject``, or None (other tags never match)."""
    found = re.search(rf"\[{re.escape(tag_prefix())}(\d{{1,18}})\]", subject)
    return int(found.group(1)) if found else None


def conversation_key(thread_index: str) -> str:
    """Outlook's conversation id: the first 22 bytes of Thread-Index, base64; "" if unusable."""
    try:
        data = base64.b64decode("".join(thread_index.split()), validate=True)
    except (binascii.Error, ValueError):
        return ""
    if len(data) < CONVERSATION_BYTES:
        return ""
    return base64.b64encode(data[:CONVERSATION_BYTES]).decode("ascii")


@dataclass(frozen=True)
class Thread:
    """A ticket the message refers to, and how it was found (for the audit detail)."""

    ticket: Ticket
    how: str


def find_thread(parsed: ParsedEmail) -> Thread | None:
    """The ticket the message replies to, by the strongest evidence; merges followed."""
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    ids = list(dict.fromkeys(ids))[:MAX_REFERENCES]
    if ids:
        ticket_id = _by_message_ids(ids)
        if ticket_id is not None:
            return _thread(ticket_id, "message-id")
    key = conversation_key(parsed.headers.get("Thread-Index", ""))
    if key:
        found = (
            ThreadKey.objects.filter(thread_index=key)
            .order_by("-pk")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if found is not None:
            return _thread(found, "thread-index")
    number = tag_number(parsed.subject)
    if number is not None:
        by_tag = visible_tickets(READER).filter(number=number).values_list("pk", flat=True).first()
        if by_tag is not None:
            return _thread(by_tag, "subject-tag")
    return None


def _by_message_ids(ids: list[str]) -> int | None:
    """The ticket of the first id (In-Reply-To first, then newest reference) that we know."""
    known = store.tickets_by_message_ids(ids)
    for message_id in ids:
        if message_id in known:
            return known[message_id]
    return None


def _thread(ticket_id: int, how: str) -> Thread | None:
    ticket = ticket_for_threading(ticket_id)
    hops = 0
    while ticket is not None and ticket.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        ticket = ticket_for_threading(ticket.merged_into_id)
        hops += 1
    return Thread(ticket, how) if ticket is not None else None


def may_write(user: User, ticket: Ticket) -> bool:
    """The requester, a follower, or an agent who sees the ticket may reply into it."""
    if not user.is_active:
        return False
    if user.pk == ticket.requester_id:
        return True
    if user.is_agent:
        return can_see_ticket(user, ticket)
    return ticket.followers.filter(pk=user.pk).exists()
