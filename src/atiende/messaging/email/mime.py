"""Walk a MIME tree into body texts and attachments without ever raising.

The walk does not descend into attached messages (message/rfc822, message/global): those are
kept whole as `.eml` attachments. Undeclared or unknown charsets decode as UTF-8, else
Latin-1, with replacement characters rather than errors.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from email.message import Message

from atiende.core.text import clean_text
from atiende.messaging.email.headers import raw_header, repair_8bit

MESSAGE_TYPES = {"message/rfc822", "message/global"}
MAX_DEPTH = 50


@dataclass(frozen=True)
class Attachment:
    """One attached file: decoded bytes, as the sender named and typed it."""

    filename: str
    content_type: str
    payload: bytes
    content_id: str
    disposition: str

    @property
    def inline(self) -> bool:
        """Shown in the body (e.g. an image referenced by cid:) rather than listed."""
        return self.disposition == "inline"

    @property
    def named(self) -> bool:
        """Named or explicitly attached: what a reader sees as an attachment."""
        return bool(self.filename) or self.disposition == "attachment"


@dataclass
class Walked:
    """What a walk collected; turned into the frozen `ParsedEmail` by the parser."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    embedded_headers: list[Message] = field(default_factory=list)


def content_type(part: Message) -> str:
    """The lower-case type/subtype, text/plain when absent or broken."""
    try:
        return part.get_content_type().lower()
    except Exception:
        return "text/plain"


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes as text in the declared charset, degrading rather than failing."""
    if charset:
        try:
            codecs.lookup(charset)
            return clean_text(data.decode(charset, errors="replace"))
        except (LookupError, ValueError, TypeError):
            pass
    try:
        return clean_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        return clean_text(data.decode("latin-1", errors="replace"))


def payload_bytes(part: Message) -> bytes:
    """The decoded (base64/quoted-printable) body of a leaf part, b'' when unusable."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""


def filename_of(part: Message) -> str:
    """The RFC 2231/2047 decoded filename from Content-Disposition or Content-Type name."""
    try:
        name = part.get_filename() or part.get_param("name", header="content-type")
    except Exception:
        return ""
    if isinstance(name, tuple):
        name = decode_text(name[2].encode("latin-1", errors="replace"), name[0])
    if not isinstance(name, str):
        return ""
    return clean_text(" ".join(repair_8bit(name).split()))


def disposition_of(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def message_bytes(part: Message) -> bytes:
    """An attached message as .eml bytes (its own headers and body)."""
    try:
        inner = part.get_payload()
        if isinstance(inner, list) and inner:
            inner = inner[0]
        if isinstance(inner, Message):
            return inner.as_bytes()
        if isinstance(inner, str):
            return inner.encode("utf-8", errors="surrogateescape")
    except Exception:  # noqa: S110
        pass
    return payload_bytes(part)


def walk(msg: Message) -> Walked:
    """Collect inline bodies and attachments of `msg` (not of attached messages)."""
    found = Walked()
    _visit(msg, found, 0)
    return found


def _visit(part: Message, found: Walked, depth: int) -> None:
    ctype = content_type(part)
    found.content_types.append(ctype)
    if depth > MAX_DEPTH:
        return
    disposition = disposition_of(part)
    filename = filename_of(part)
    if ctype.startswith("multipart/"):
        try:
            children = part.get_payload()
        except Exception:
            children = []
        if isinstance(children, list):
            for child in children:
                if isinstance(child, Message):
                    _visit(child, found, depth + 1)
        return
    if ctype in MESSAGE_TYPES or ctype == "text/rfc822-headers":
        _keep_embedded_headers(part, ctype, found)
    named = bool(filename) or disposition == "attachment"
    if ctype in MESSAGE_TYPES and (named or depth > 0):
        data = message_bytes(part)
        found.attachments.append(_attachment(part, filename, ctype, data))
        return
    if not named and ctype in ("text/plain", "text/html"):
        text = decode_text(payload_bytes(part), _charset(part))
        (found.texts if ctype == "text/plain" else found.htmls).append(text)
        return
    if named or (raw_header(part, "Content-ID") and not ctype.startswith("text/")):
        # Unnamed parts with a Content-ID are inline images the HTML shows by cid:.
        found.attachments.append(_attachment(part, filename, ctype, payload_bytes(part)))


def _keep_embedded_headers(part: Message, ctype: str, found: Walked) -> None:
    """Remember the headers of a returned message, to find a bounced Message-ID."""
    try:
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            found.embedded_headers.append(inner[0])
        elif ctype == "text/rfc822-headers":
            from email import message_from_bytes, policy

            found.embedded_headers.append(
                message_from_bytes(payload_bytes(part), policy=policy.default)
            )
    except Exception:  # noqa: S110
        pass


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _attachment(part: Message, filename: str, ctype: str, data: bytes) -> Attachment:
    content_id = (raw_header(part, "Content-ID") or "").strip().strip("<>")
    return Attachment(
        filename=filename,
        content_type=ctype,
        payload=data,
        content_id=clean_text(content_id),
        disposition=disposition_of(part),
    )
