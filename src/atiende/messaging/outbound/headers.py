"""Threading headers: our Message-IDs, the References chain, Outlook's Thread-Index, the tag.

Message ids are stored without angle brackets (as `messaging.email.headers.id_list` reads
them) and get their brackets only when written into a header.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
import uuid
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings

from atiende.messaging.models import Mailbox, ThreadKey
from atiende.tickets.models import Ticket

# A References header with hundreds of ids breaks some servers; RFC 5322 §3.6.4 allows
# trimming. We keep the thread's first id and the newest ones.
MAX_REFERENCES = 30
FILETIME_EPOCH_OFFSET = 116444736000000000  # 100 ns ticks from 1601-01-01 to 1970-01-01
_TAG = re.compile(r"\s*\[#\d+\]\s*")
_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|rv|res|enc)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def mail_domain(mailbox: Mailbox | None) -> str:
    """The domain our Message-IDs use: the mailbox's, else the default sender's."""
    address = mailbox.address if mailbox is not None else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2].strip().lower()
    return domain or "localhost"


def new_message_id(ticket: Ticket, mailbox: Mailbox | None) -> str:
    """``atiende.{ticket number}.{uuid}@{domain}``, without brackets; unique per mail."""
    return f"atiende.{ticket.number}.{uuid.uuid4().hex}@{mail_domain(mailbox)}"


def bracketed(message_id: str) -> str:
    return f"<{message_id.strip('<>')}>"


def thread_chain(ticket: Ticket) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a new mail of ``ticket``, from its known thread keys.

    In-Reply-To names the customer's newest message (what the agent answers), else the newest
    key of any kind; References is the chain, oldest first, capped at `MAX_REFERENCES`.
    """
    keys = list(
        ThreadKey.objects.filter(ticket=ticket)
        .exclude(message_id="")
        .order_by("created_at", "pk")
        .values_list("message_id", "outbound")
    )
    chain = list(dict.fromkeys(mid.strip("<>") for mid, _ in keys if mid.strip("<>")))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    inbound = [mid.strip("<>") for mid, outbound in keys if not outbound and mid.strip("<>")]
    in_reply_to = inbound[-1] if inbound else (chain[-1] if chain else "")
    return in_reply_to, chain


def clean_subject(subject: str, number: int) -> str:
    """The ticket's subject without reply prefixes or our own tag."""
    text = _PREFIX.sub("", subject)
    text = _TAG.sub(" ", text).strip()
    return text or f"#{number}"


def tagged(subject: str, number: int, *, reply: bool = False) -> str:
    """``[#1042] subject`` (``Re: [#1042] subject`` for a reply); the tag is never doubled."""
    tag = f"[#{number}]"
    text = subject.strip() if tag in subject else f"{tag} {clean_subject(subject, number)}"
    return f"Re: {text}" if reply and not _PREFIX.match(text) else text


def _filetime(when: datetime) -> int:
    return int(when.timestamp() * 10_000_000) + FILETIME_EPOCH_OFFSET


def thread_index(ticket: Ticket, when: datetime, inbound_index: str = "") -> str:
    """Outlook's Thread-Index: a 22-byte conversation header plus a 5-byte child block.

    The header is the customer's own (``inbound_index``) when Outlook started the thread, else
    one derived from the ticket, so every mail of a ticket shares it.
    """
    header = b""
    if inbound_index:
        try:
            header = base64.b64decode(inbound_index, validate=False)[:22]
        except ValueError:
            header = b""
    if len(header) != 22:
        start = _filetime(ticket.created_at)
        guid = hashlib.md5(f"atiende-ticket-{ticket.pk}".encode(), usedforsecurity=False)
        header = struct.pack(">Q", start)[:6] + guid.digest()
    created = _filetime(ticket.created_at)
    delta = max(0, _filetime(when) - created) >> 18  # Outlook's child-block resolution
    child = struct.pack(">Q", delta & 0x7FFFFFFFFF)[3:]  # 5 bytes
    return base64.b64encode(header + child).decode()
