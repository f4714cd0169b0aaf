"""Threading headers: our Message-IDs, the References chain, Outlook's Thread-Index, the tag.

Message ids are stored without angle brackets (as `messaging.email.headers.id_list` reads
them) and get their brackets only when written into a header.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings

from atiende.messaging.email import signing
from atiende.messaging.email.subjects import PREFIXES
from atiende.messaging.inbound.threading import CONVERSATION_BYTES, tag_prefix, ticket_tag
from atiende.messaging.models import Mailbox, ThreadKey
from atiende.tickets.models import Ticket

# A References header with hundreds of ids breaks some servers; RFC 5322 §3.6.4 allows
# trimming. We keep the thread's first id and the newest ones.
MAX_REFERENCES = 30
FILETIME_EPOCH_OFFSET = 116444736000000000  # 100 ns ticks from 1601-01-01 to 1970-01-01
_PREFIX = PREFIXES  # one list of reply/forward prefixes, shared with inbound mail


def mail_domain(mailbox: Mailbox | None) -> str:
    """The domain our Message-IDs use: the mailbox's, else the default sender's."""
    address = mailbox.address if mailbox is not None else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2].strip().lower()
    return domain or "localhost"


def new_message_id(ticket: Ticket, mailbox: Mailbox | None, *, agent_id: int | None = None) -> str:
    """A signed id, unique per mail, without brackets (`messaging.email.signing`); with
    ``agent_id`` for mail addressed to that agent, whose reply it then authenticates."""
    return signing.new_message_id(ticket.number, mail_domain(mailbox), agent_id=agent_id)


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
    own_tag = re.compile(rf"\s*\[{re.escape(tag_prefix())}\d+\]\s*")
    text = " ".join(own_tag.sub(" ", text).split())
    return text or ticket_tag(number)


def tagged(subject: str, number: int, *, reply: bool = False) -> str:
    """``[#1042] subject`` (``Re: [#1042] subject`` for a reply); the tag is never doubled."""
    tag = ticket_tag(number)
    text = subject.strip() if tag in subject else f"{tag} {clean_subject(subject, number)}"
    return f"Re: {text}" if reply and not _PREFIX.match(text) else text


def _filetime(when: datetime) -> int:
    return int(when.timestamp() * 10_000_000) + FILETIME_EPOCH_OFFSET


def conversation(ticket: Ticket, inbound_key: str = "") -> str:
    """The 22-byte conversation key (base64) every mail of the ticket shares: the customer's
    own when Outlook started the thread, else one derived from the ticket."""
    header = b""
    if inbound_key:
        try:
            header = base64.b64decode(inbound_key, validate=False)[:CONVERSATION_BYTES]
        except ValueError:
            header = b""
    if len(header) != CONVERSATION_BYTES:
        start = _filetime(ticket.created_at)
        guid = hashlib.md5(f"atiende-ticket-{ticket.pk}".encode(), usedforsecurity=False)
        header = struct.pack(">Q", start)[:6] + guid.digest()
    return base64.b64encode(header).decode()


def thread_index(ticket: Ticket, when: datetime, key: str) -> str:
    """Outlook's Thread-Index: the conversation key plus a 5-byte child block for ``when``."""
    header = base64.b64decode(key)
    created = _filetime(ticket.created_at)
    delta = max(0, _filetime(when) - created) >> 18  # Outlook's child-block resolution
    child = struct.pack(">Q", delta & 0x7FFFFFFFFF)[3:]  # 5 bytes
    return base64.b64encode(header + child).decode()
