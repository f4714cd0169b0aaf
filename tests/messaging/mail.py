"""Building raw messages and delivering them the way a transport does (store, then process)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from atiende.accounts.models import Group
from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from atiende.messaging.models import InboundMessage, InboundMethod, Mailbox

SUPPORT = "support@helpdesk.test"
_seq = itertools.count(1)


def make_mailbox(address: str = SUPPORT, group: Group | None = None, **fields: object) -> Mailbox:
    return Mailbox.objects.create(
        address=address, inbound_method=InboundMethod.UPLOAD, group=group, **fields
    )


def build(
    *,
    sender: str = "Ana Pérez <ana@customer.test>",
    to: str = SUPPORT,
    subject: str = "The printer is on fire",
    body: str = "Hello, the printer is on fire.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    cc: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> bytes:
    """A realistic message; ``message_id`` without angle brackets."""
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2026, 11, 20, 10, next(_seq) % 60, tzinfo=UTC))
    msg["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain="customer.test")
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def deliver(raw: bytes, mailbox: Mailbox | None = None, source: str = "smtp") -> InboundMessage:
    row, _created = store_raw(raw, mailbox=mailbox, source=source, recipient=SUPPORT)
    return process(row.pk)
