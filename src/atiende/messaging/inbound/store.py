"""Step one of every inbound mail: commit the raw bytes before anyone says "accepted".

A transport (SMTP receiver, IMAP poll, upload, import) calls `store_raw` and only answers
250 / flags the IMAP message once it returns: from then on the message cannot be lost,
whatever happens to parsing.

Also the inbound pipeline's other hot statements (thread keys, the per-Message-ID lock, the
row's outcome), built once or written as SQL: this is the only module of the messaging app
that uses ``core.rows`` (an import-linter contract holds it so).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from atiende.core import rows
from atiende.core.text import clean_text
from atiende.messaging.email.headers import decode_words
from atiende.messaging.models import (
    MAX_STORED_BYTES,
    InboundMessage,
    InboundSource,
    InboundState,
    Mailbox,
    ThreadKey,
)

HEADER_PEEK_BYTES = 64 * 1024
# The fields of ``messaging_inbound_unique_delivery``: one row per bytes and mailbox.
UNIQUE_DELIVERY = ("mailbox", "sha256")


class MessageTooLarge(Exception):
    """Too large to store at all (over `MAX_STORED_BYTES`): the transport must refuse it."""

    def __init__(self, size: int) -> None:
        super().__init__(
            _("The message is %(size)d bytes; the largest message we can store is %(max)d bytes.")
            % {"size": size, "max": MAX_STORED_BYTES}
        )
        self.size = size


def store_raw(
    raw: bytes,
    *,
    mailbox: Mailbox | None,
    source: str,
    recipient: str = "",
    durable: bool = True,
    headers: tuple[str, str, str] | None = None,
) -> tuple[InboundMessage, bool]:
    """Commit ``raw`` as an `InboundMessage`; ``(row, False)`` for a duplicate delivery.

    A duplicate is the same bytes to the same mailbox (an SMTP retry after a lost 250, an
    IMAP re-fetch after a crash). Over the mailbox's limit the row is stored quarantined, so
    an admin sees it; over `MAX_STORED_BYTES` it raises `MessageTooLarge`. ``durable=False``
    lets an importer store and process in one transaction (its file is the durable copy);
    ``headers``: `peek_headers` of ``raw``, when the caller read them before its transaction.
    """
    if source not in InboundSource.values:
        raise ValueError(f"unknown inbound source {source!r}")
    digest = hashlib.sha256(raw).hexdigest()
    if mailbox is None:  # NULLs are distinct to the unique constraint: look first
        unrouted = _existing(None, digest)
        if unrouted is not None:
            return unrouted, False
    size = len(raw)
    if size > MAX_STORED_BYTES:
        raise MessageTooLarge(size)
    limit = min(mailbox.max_message_bytes if mailbox else MAX_STORED_BYTES, MAX_STORED_BYTES)
    state, reason = InboundState.RECEIVED, ""
    if size > limit:
        state = InboundState.QUARANTINED
        reason = _(
            "The message is %(size)d bytes, over this mailbox's limit of %(limit)d bytes."
        ) % {"size": size, "limit": limit}
    sender, subject, message_id = headers or peek_headers(raw)
    row = InboundMessage(
        raw=raw,
        size=size,
        sha256=digest,
        source=source,
        mailbox=mailbox,
        recipient=clean_text(recipient)[:254],
        sender=sender,
        subject=subject,
        message_id=message_id,
        state=state,
        reason=reason,
    )
    # One statement, no savepoint (an importer stores 100 messages in one transaction): a
    # delivery of the same bytes already stored, or committed meanwhile, inserts nothing.
    if durable:
        with transaction.atomic(durable=True):
            inserted = rows.insert_unless(row, unique=UNIQUE_DELIVERY)
    else:
        inserted = rows.insert_unless(row, unique=UNIQUE_DELIVERY)
    if inserted:
        return row, True
    found = _existing(mailbox, digest)
    if found is None:  # the constraint held, yet the row is gone (deleted meanwhile)
        raise IntegrityError(f"inbound message {digest} conflicted but cannot be found")
    return found, False


def _existing(mailbox: Mailbox | None, digest: str) -> InboundMessage | None:
    if mailbox is not None:  # the common case, on the unique (mailbox, sha256); a duplicate
        return rows.first(InboundMessage, mailbox_id=mailbox.pk, sha256=digest)  # brings raw
    unrouted = InboundMessage.objects.filter(sha256=digest, mailbox=None).defer("raw")
    # No ORDER BY: SQLite would walk the primary key instead of the unique (mailbox, sha256).
    found = list(unrouted[:1])
    return found[0] if found else None


def peek_headers(raw: bytes) -> tuple[str, str, str]:
    """(sender, subject, Message-ID) from the header block, cheaply; blanks when unreadable.

    Stored with the raw row so the quarantine list and the per-sender rate limit work even
    for messages that never parse.
    """
    try:
        head = BytesHeaderParser(policy=compat32).parsebytes(raw[:HEADER_PEEK_BYTES])
        sender = parseaddr(str(head.get("From", "")))[1].strip().lower()
        subject = " ".join(decode_words(str(head.get("Subject", ""))).split())
        message_id = str(head.get("Message-ID", "")).strip().strip("<>").strip()
    except Exception:
        return "", "", ""
    return clean_text(sender)[:254], clean_text(subject)[:255], clean_text(message_id)[:998]


def thread_key_flags(message_id: str) -> frozenset[bool]:
    """The ``outbound`` flags of the thread keys with this Message-ID (one indexed query)."""
    # Runs for every message: written as SQL, not compiled from a queryset each time.
    table = connection.ops.quote_name(ThreadKey._meta.db_table)
    with rows.cursor(connection) as cursor:
        cursor.execute(
            f"SELECT outbound FROM {table} WHERE message_id = %s",  # noqa: S608  (a constant name)
            [message_id[:998]],
        )
        return frozenset(bool(flag) for (flag,) in cursor.fetchall())


def tickets_by_message_ids(ids: Sequence[str]) -> dict[str, int]:
    """The ticket of each known Message-ID among ``ids``; the oldest key of an id wins."""
    # Runs for most messages: written as SQL, not compiled from a queryset each time.
    # Only a constant name and placeholders are interpolated.
    table = connection.ops.quote_name(ThreadKey._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT message_id, ticket_id FROM {table} WHERE message_id IN ({marks})"  # noqa: S608
    with rows.cursor(connection) as cursor:
        cursor.execute(sql + " ORDER BY id DESC", list(ids))
        return dict(cursor.fetchall())


def insert_thread_key(key: ThreadKey) -> None:
    rows.insert(key)


def lock_message_id(key: int) -> None:
    """PostgreSQL's transaction-scoped advisory lock on ``key`` (a Message-ID's hash)."""
    with rows.cursor(connection) as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def write_outcome(row: InboundMessage, fields: Sequence[str]) -> None:
    """UPDATE the processed row's ``fields``, as ``save(update_fields=...)`` would."""
    rows.update(row, fields)
