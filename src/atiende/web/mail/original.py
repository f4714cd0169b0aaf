"""An email as it arrived: its headers, full text and sanitized HTML, re-read from the raw
bytes (quoted history and signature included), for the quarantine and "Show original".

Nothing from the raw message reaches the page unescaped: headers and text are escaped by the
template, the HTML is cleaned by nh3 with images dropped (a remote image in a suspicious mail
would tell its sender the message was opened).
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from atiende.core.html import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from atiende.messaging.email.parse import ParseError, parse_message

MAX_HEADERS = 300
MAX_HEADER_CHARS = 4000
PREVIEW_TAGS = ALLOWED_TAGS - {"img"}
PREVIEW_ATTRIBUTES = {tag: attrs for tag, attrs in ALLOWED_ATTRIBUTES.items() if tag != "img"}


@dataclass
class Original:
    headers: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    text: str = ""
    html: SafeString = field(default_factory=lambda: mark_safe(""))
    attachments: list[tuple[str, str, int]] = field(default_factory=list)
    error: str = ""


def _decode(value: str) -> str:
    try:
        text = str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError, TypeError):
        text = value
    text = " ".join(text.split())
    return text[:MAX_HEADER_CHARS] + ("…" if len(text) > MAX_HEADER_CHARS else "")


def header_lines(raw: bytes) -> list[tuple[str, str]]:
    """Every header in order, decoded (RFC 2047) and unfolded."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.compat32)
        items = msg.items()
    except Exception:  # a broken header block shows as no headers
        return []
    return [(str(name), _decode(str(value))) for name, value in items[:MAX_HEADERS]]


def safe_html(html: str) -> SafeString:
    """Sanitized HTML without images: safe to show inside the workspace."""
    cleaned = nh3.clean(
        html,
        tags=PREVIEW_TAGS,
        attributes=PREVIEW_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308  # cleaned by nh3 just above


def read_original(raw: bytes) -> Original:
    """The message re-parsed in full; a message that cannot be parsed says why."""
    found = Original(headers=header_lines(raw))
    try:
        parsed = parse_message(raw)
    except ParseError as error:
        found.error = _("This message cannot be read as an email: %(reason)s.") % {"reason": error}
        return found
    found.subject = parsed.subject
    if parsed.from_ is not None:
        name, address = parsed.from_
        found.sender = f"{name} <{address}>" if name else address
    found.text = parsed.text
    found.html = safe_html(parsed.html) if parsed.html else mark_safe("")
    found.attachments = [
        (a.filename or _("(no name)"), a.content_type, len(a.payload)) for a in parsed.attachments
    ]
    return found
