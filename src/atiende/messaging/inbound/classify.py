"""Mail that must not become (another) ticket message: our own, storms, second routes."""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from atiende.messaging.email import signing
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound import store
from atiende.messaging.models import (
    InboundMessage,
    InboundSource,
    InboundState,
    Mailbox,
)

DEFAULT_RATE_LIMIT = (20, 600)  # more than 20 messages in 10 minutes from one sender


ADDRESSES_TTL = 10.0  # seconds a process trusts its list of our mailbox addresses
_addresses: tuple[float, frozenset[str]] = (0.0, frozenset())


def our_addresses() -> frozenset[str]:
    """Every mailbox address, lower-case: mail from them is ours, Cc to them is not a person.

    Read at most every `ADDRESSES_TTL` seconds per process (twice per message otherwise); a
    mailbox added a moment ago is known within seconds.
    """
    global _addresses
    expires, known = _addresses
    now = time.monotonic()
    if now >= expires:
        known = frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
        _addresses = (now + ADDRESSES_TTL, known)
    return known


def forget_addresses() -> None:
    """Drop the remembered addresses (a mailbox was added, renamed or removed)."""
    global _addresses
    _addresses = (0.0, frozenset())


def known_keys(message_id: str) -> frozenset[bool]:
    """The ``outbound`` flags of the thread keys with this Message-ID: True means we sent a
    mail with it, False that an earlier inbound message had it. One indexed query."""
    if not message_id:
        return frozenset()
    return store.thread_key_flags(message_id)


def is_our_own(parsed: ParsedEmail, keys: frozenset[bool]) -> bool:
    """Mail this installation sent that came back to it (a forward, a Cc of our mailbox, an
    alias loop): its Message-ID carries our signature (`messaging.email.signing`), or is one
    we gave an outbound mail before ids were signed (every outbound mail leaves a thread key).

    Nothing a sender can type makes mail "ours": not a From of our mailbox, not an
    ``X-Atiende`` header, not our domain in the Message-ID. Another Atiende's mail carries
    those too, and its agents are customers like any other.
    """
    return True in keys or signing.verify(parsed.message_id) is not None


def rate_limit() -> tuple[int, int] | None:
    """(messages, seconds) from ``ATIENDE_MAIL_RATE_LIMIT``; None or 0 switches it off."""
    configured = getattr(settings, "ATIENDE_MAIL_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    if not configured:
        return None
    count, seconds = configured
    return int(count), int(seconds)


def rate_limit_reason() -> str:
    """Why a rate-limited message waits in the quarantine, and when to release it."""
    count, seconds = rate_limit() or DEFAULT_RATE_LIMIT
    return _(
        "Rate limited: more than %(count)d messages from this sender in %(minutes)d minutes. "
        "It waits here; retry it or create a ticket from it when the storm is over."
    ) % {"count": count, "minutes": max(1, seconds // 60)}


def rate_limited(row: InboundMessage, sender: str) -> bool:
    """More than the limit from this sender in the window before this message: a storm
    (two auto-responders answering each other). Imports of old mail are never limited."""
    limit = rate_limit()
    if limit is None or row.source == InboundSource.IMPORT:
        return False
    count, seconds = limit
    since = row.received_at - timedelta(seconds=seconds)
    earlier = InboundMessage.objects.filter(
        sender=sender, received_at__gte=since, received_at__lte=row.received_at
    ).exclude(pk=row.pk)
    return earlier.count() >= count


def same_message_elsewhere(
    row: InboundMessage, parsed: ParsedEmail, sender: str, keys: frozenset[bool]
) -> InboundMessage | None:
    """The row that already became this message when it reached us by another route.

    One mail sent to two of our addresses arrives twice with different bytes (each copy has
    its own Received lines); same Message-ID, sender and subject is the same message.
    """
    if False not in keys:  # the usual case: no inbound message had this Message-ID yet
        return None
    return (
        InboundMessage.objects.filter(
            message_id=parsed.message_id[:998],
            sender=sender,
            subject=parsed.subject[:255],
            state=InboundState.PROCESSED,
            ticket__isnull=False,
        )
        .exclude(pk=row.pk)
        .defer("raw")
        .select_related("ticket")
        .first()
    )
