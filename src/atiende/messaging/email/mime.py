"""Walk a MIME tree into body texts and attachments without ever raising.

The walk does not descend into attached messages (message/rfc822, message/global): those are
kept whole as `.eml` attachments. Wrong, undeclared or unknown charsets are repaired
(`decode_text`), with replacement characters rather than errors as the last resort.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from email.message import Message
from email.policy import Compat32

from charset_normalizer import from_bytes

from atiende.core.text import clean_text
from atiende.messaging.email.headers import decode_words, raw_header, repair_8bit


class RawHeaders(Compat32):
    """The parsing policy: headers are kept as written and read as text on demand.

    ``email.policy.default`` parses every header it touches into an object, each time it is
    touched (the feedparser and a walk read Content-Type about nine times a part): it cost
    more than half of parsing a message (5.0 → 2.1 ms, docs/performance.md). Our readers
    parse only what they use (``headers``: addresses, subjects, with the modern parser);
    here a header's raw 8-bit bytes become text (UTF-8, else Latin-1) instead of Compat32's
    replacement characters.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        return repair_8bit(value)


PARSING = RawHeaders()

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


SINGLE_BYTE = {"iso8859-1", "iso8859-15", "ascii", "cp1252"}  # codecs' names
# Among equally plausible detections, the charsets mail in our languages is written in.
WESTERN = ("cp1252", "iso8859_15", "latin_1")


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes as text in the declared charset, repaired when the declaration is wrong.

    Mail often says one charset and holds another: UTF-8 labelled Latin-1 (which decodes
    without error into "Ã±"), Windows-1252 labelled UTF-8, or no label at all. Text that is
    valid UTF-8 is read as UTF-8; text that fails its declared charset is read in the
    charset `charset-normalizer` detects; Latin-1 with replacement characters is the last
    resort. Never raises.
    """
    declared = _codec(charset)
    if declared is not None:
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if declared in SINGLE_BYTE and not data.isascii():
                return clean_text(_utf8(data) or text)
            return clean_text(text)
    found = _utf8(data)
    return clean_text(found if found is not None else _detect(data))


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset).name.replace("_", "-")
    except (LookupError, ValueError, TypeError):
        return None


def _detect(data: bytes) -> str:
    """The most plausible reading by `charset-normalizer`; a Western charset wins a tie
    (short Spanish text fits many code pages equally well)."""
    matches = list(from_bytes(data))
    if not matches:
        return data.decode("latin-1", errors="replace")
    least = min(match.chaos for match in matches)
    plausible = [match for match in matches if match.chaos <= least + 0.01]
    for name in WESTERN:
        for match in plausible:
            if match.encoding == name:
                return str(match)
    return str(plausible[0])


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


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
    if "=?" in name:  # RFC 2047 inside a parameter: wrong, and what Outlook and Gmail write
        name = decode_words(name)
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
            from email import message_from_bytes

            found.embedded_headers.append(message_from_bytes(payload_bytes(part), policy=PARSING))
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
