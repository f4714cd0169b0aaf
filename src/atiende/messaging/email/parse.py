"""Parse raw MIME bytes into a `ParsedEmail`, with the standard library only.

`parse_message` never raises anything but `ParseError`, and only for input that is not a
message at all (empty, or neither a header nor a body). Everything else degrades: an
unreadable header becomes an empty value, an unknown charset decodes as UTF-8 or Latin-1.
"""

from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any

from atiende.core.html import html_to_text, sanitize_html
from atiende.messaging.email import headers as h
from atiende.messaging.email.auto import auto_reply_reason
from atiende.messaging.email.bounce_text import plain_bounce
from atiende.messaging.email.mime import PARSING, Attachment, Walked, content_type, walk
from atiende.messaging.email.senders import sender_defects

Address = tuple[str, str]

AUTO_SENDERS = ("mailer-daemon", "postmaster")
BULK_PRECEDENCE = ("bulk", "junk", "list")
HEADERS_OF_INTEREST = (
    "Thread-Index",
    "Thread-Topic",
    "Auto-Submitted",
    "List-Id",
    "List-Post",
    "Precedence",
    "X-Atiende",
    "X-Atiende-Ticket",
)
DSN_FIELDS = ("Action", "Status", "Diagnostic-Code", "Final-Recipient")
MAX_BOUNCE_REASON = 1000


class ParseError(ValueError):
    """The input is not an email message at all; the caller quarantines it."""


@dataclass(frozen=True)
class ParsedEmail:
    """What the pipeline needs from one inbound message, as plain values."""

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    from_: Address | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    date: datetime | None
    text: str
    text_from_html: bool
    html: str
    has_html: bool
    attachments: tuple[Attachment, ...]
    is_auto_submitted: bool
    is_bulk: bool
    is_bounce: bool
    bounced_message_id: str
    headers: dict[str, str]
    bounce_reason: str = ""
    bounce_delayed: bool = False  # only a delay warning ("Action: delayed"), not a failure
    auto_reply: str = ""  # why it is an automatic reply (`messaging.email.auto`), or ""
    sender_defects: tuple[str, ...] = ()  # untrustworthy address headers (`email.senders`)
    auth_results: tuple[str, ...] = ()  # every Authentication-Results value, topmost first
    # The HTML as sent, before sanitizing: only to find the mail client's quote markers
    # (classes, ids, ``type=cite``) that sanitizing removes. Never stored or shown.
    raw_html: str = ""
    # The new text and HTML without quoted history and signature (`inbound.writing.bodies`),
    # worked out at parse time, before any transaction (SQLite's write lock) is taken.
    new_bodies: tuple[str, str] | None = None

    @property
    def is_auto_generated(self) -> bool:
        """Machine-generated mail: never answer it automatically."""
        return self.is_auto_submitted or self.is_bulk or self.is_bounce or bool(self.auto_reply)


def parse_message(raw: bytes) -> ParsedEmail:
    """Parse `raw`; raise `ParseError` only when there is nothing to parse."""
    if not raw or not raw.strip():
        raise ParseError("empty message")
    try:
        msg = email.message_from_bytes(raw, policy=PARSING)
    except Exception as exc:  # pragma: no cover - the feedparser is designed not to raise
        raise ParseError(f"unreadable MIME: {exc!r}") from exc
    try:
        return _build(msg)
    except RecursionError as exc:
        raise ParseError("MIME structure nested too deeply") from exc


def _build(msg: Message) -> ParsedEmail:
    found = walk(msg)
    text = "\n".join(t for t in found.texts if t)
    html = "\n".join(found.htmls)
    safe_html = sanitize_html(html) if html else ""
    text_from_html = not text and bool(safe_html)
    if text_from_html:
        text = html_to_text(safe_html)
    has_headers = any(True for _ in _safe_keys(msg))
    if not has_headers and not text.strip() and not found.attachments:
        raise ParseError("no header and no body")
    senders = h.address_header(msg, "From")
    ids = h.id_list(msg, "Message-ID")
    reply_ids = h.id_list(msg, "In-Reply-To")
    is_bounce = _is_bounce(msg, found)
    subject = h.text_header(msg, "Subject")
    bounce: dict[str, Any] = _bounce_details(msg) if is_bounce else {}
    plain = None if is_bounce else plain_bounce(senders[0] if senders else None, subject, text)
    if plain is not None:
        is_bounce = True
        bounce = {"bounce_reason": plain.reason, "bounce_delayed": plain.delayed}
    return ParsedEmail(
        message_id=ids[0] if ids else "",
        in_reply_to=reply_ids[0] if reply_ids else "",
        references=h.id_list(msg, "References"),
        subject=subject,
        from_=senders[0] if senders else None,
        reply_to=h.address_header(msg, "Reply-To"),
        to=h.address_header(msg, "To"),
        cc=h.address_header(msg, "Cc"),
        date=h.date_header(msg),
        text=text,
        text_from_html=text_from_html,
        html=safe_html,
        raw_html=html,
        has_html=bool(found.htmls),
        attachments=tuple(found.attachments),
        is_auto_submitted=_is_auto_submitted(msg, senders),
        is_bulk=_is_bulk(msg),
        is_bounce=is_bounce,
        bounced_message_id=(_bounced_id(found) or (plain.message_id if plain else ""))
        if is_bounce
        else "",
        **bounce,
        auto_reply="" if is_bounce else auto_reply_reason(msg, subject),
        sender_defects=sender_defects(msg),
        auth_results=_all_values(msg, "Authentication-Results"),
        headers={
            name: value for name in HEADERS_OF_INTEREST if (value := h.text_header(msg, name))
        },
    )


def _all_values(msg: Message, name: str) -> tuple[str, ...]:
    """Every value of a repeated header, in order (top first), 8-bit repaired."""
    try:
        return tuple(h.repair_8bit(str(v)) for k, v in msg.raw_items() if k.lower() == name.lower())
    except Exception:
        return ()


def _safe_keys(msg: Message) -> list[str]:
    try:
        return [k for k, _ in msg.raw_items()]
    except Exception:
        return []


def _is_auto_submitted(msg: Message, senders: tuple[Address, ...]) -> bool:
    auto = h.text_header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if h.raw_header(msg, "X-Autoreply") is not None:
        return True
    if h.raw_header(msg, "X-Autorespond") is not None:
        return True
    local = senders[0][1].split("@")[0].lower() if senders else ""
    return local in AUTO_SENDERS


def _is_bulk(msg: Message) -> bool:
    if h.text_header(msg, "Precedence").lower() in BULK_PRECEDENCE:
        return True
    return h.raw_header(msg, "List-Id") is not None


def _is_bounce(msg: Message, found: Walked) -> bool:
    if content_type(msg) == "multipart/report":
        try:
            report = str(msg.get_param("report-type", "") or "").lower()
        except Exception:
            report = ""
        if report == "delivery-status":
            return True
    return "message/delivery-status" in found.content_types


def _bounced_id(found: Walked) -> str:
    for embedded in found.embedded_headers:
        ids = h.id_list(embedded, "Message-ID")
        if ids:
            return ids[0]
    return ""


def _bounce_details(msg: Message) -> dict[str, Any]:
    """The DSN's status and diagnostic per recipient, and whether it only reports a delay."""
    parts: list[str] = []
    actions: set[str] = set()
    try:
        for part in msg.walk():
            if content_type(part) != "message/delivery-status":
                continue
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                fields = {name: h.text_header(block, name) for name in DSN_FIELDS}
                if not fields["Status"] and not fields["Diagnostic-Code"]:
                    continue
                action = fields["Action"].lower()
                actions.add(action or "failed")
                if action and action not in ("failed", "delayed"):
                    continue
                recipient = fields["Final-Recipient"].split(";")[-1].strip()
                detail = " ".join(
                    v for v in (fields["Status"], fields["Diagnostic-Code"]) if v
                ).strip()
                parts.append(f"{recipient}: {detail}" if recipient else detail)
    except Exception:  # a broken report still counts as a bounce, only without details
        return {}
    return {
        "bounce_reason": " ".join("; ".join(parts).split())[:MAX_BOUNCE_REASON],
        "bounce_delayed": actions == {"delayed"},
    }
