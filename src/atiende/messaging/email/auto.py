"""Automatic replies (out of office, vacation, "we got your mail"): recognised by every shape.

An automatic reply must never reopen, move or be acknowledged: each of those is how two
robots end up mailing each other for ever. Recognised by the standard header (RFC 3834
``Auto-Submitted``), by the de-facto ones (``X-Autoreply``, ``X-Autorespond``,
``Precedence: auto_reply/bulk/junk``), by Exchange's (``X-MS-Exchange-Generated-Message-Source``,
``X-Auto-Response-Suppress`` on its own replies) and, for servers that send none of them, by
the subject prefixes Outlook, Exchange, Gmail and phones write in Spanish and English.
"""

from __future__ import annotations

import re
import unicodedata
from email.message import Message

from atiende.messaging.email import headers as h

AUTO_PRECEDENCE = ("auto_reply", "bulk", "junk")
_PREFIX = re.compile(r"^\s*((re|rv|fw|fwd|aw|sv|res|enc)\s*:\s*)*", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"^(auto(matic)?[ -]?(reply|response)|autoreply|auto[ -]?respuesta"
    r"|respuesta automatica|contestacion automatica|out of (the )?office"
    r"|fuera de (la )?oficina|vacation reply)\s*(:|$|-|\()"
)


def auto_reply_reason(msg: Message, subject: str) -> str:
    """The header or subject that marks ``msg`` as an automatic reply, or ""."""
    auto = h.text_header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse"):
        if h.raw_header(msg, name) is not None:
            return name
    precedence = h.text_header(msg, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    source = h.text_header(msg, "X-MS-Exchange-Generated-Message-Source")
    if source:  # Exchange puts it only on mail an agent of its own generated
        return f"X-MS-Exchange-Generated-Message-Source: {source}"
    suppress = h.text_header(msg, "X-Auto-Response-Suppress").lower()
    if suppress == "all":  # what Exchange's own automatic replies carry
        return "X-Auto-Response-Suppress: All"
    if is_auto_subject(subject):
        return f"Subject: {subject[:80]}"
    return ""


def is_auto_subject(subject: str) -> bool:
    """An automatic reply's subject ("Respuesta automática: …", "Out of Office: …"), in any
    case and with or without accents; a subject merely *about* such replies does not match."""
    return bool(_AUTO_SUBJECT.match(_fold(_PREFIX.sub("", subject))))


def _fold(text: str) -> str:
    """Lower case without accents: "Respuesta AUTOMÁTICA" → "respuesta automatica"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()
