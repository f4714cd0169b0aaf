"""Header decoding that never raises: raw 8-bit, RFC 2047, broken address lists.

`email.policy.default` parses headers lazily and some malformed values make it raise (for
example a quoted group name in `To:` on Python 3.11). Every accessor here reads the raw
stored value, repairs raw 8-bit bytes (UTF-8, else Latin-1), and falls back to the legacy
parsers when the modern one fails, so a bad header only ever yields an empty value.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime
from email import policy, quoprimime, utils
from email.header import decode_header, make_header
from email.message import Message

from atiende.core.text import clean_text

_ANGLE_IDS = re.compile(r"<([^<>\s]+)>")
_GROUP_LABEL = re.compile(r'^\s*(?:"[^"]*"|[^:"<>@,]+)\s*:')


def repair_8bit(value: str) -> str:
    """Turn surrogate-escaped raw bytes (undeclared 8-bit headers) into real text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", errors="surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return value


def raw_header(msg: Message, name: str) -> str | None:
    """The first raw value of a header, 8-bit repaired, or None."""
    try:
        for key, value in msg.raw_items():
            if key.lower() == name.lower():
                return repair_8bit(str(value))
    except Exception:  # noqa: S110  (a broken header store degrades to "absent")
        pass
    return None


_ENCODED_RUN = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=(?:\s+=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)+")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")


def join_encoded_words(value: str) -> str:
    """Join adjacent RFC 2047 words of one charset into one, so a character a client split
    across two words (``=?UTF-8?Q?Jos=C3?= =?UTF-8?Q?=A9?=``) decodes whole."""
    return _ENCODED_RUN.sub(_join_run, value)


def decode_words(value: str) -> str:
    """A raw header value with its RFC 2047 words decoded (split characters joined), raw
    8-bit repaired; the value unchanged when it cannot be decoded."""
    value = repair_8bit(value)
    try:
        return str(make_header(decode_header(join_encoded_words(value))))
    except (LookupError, UnicodeError, ValueError, TypeError, AssertionError):
        return value


def _join_run(run: re.Match[str]) -> str:
    words = [(m.group(1).lower(), _word_bytes(m)) for m in _ENCODED_WORD.finditer(run.group(0))]
    if any(data is None for _charset, data in words):
        return run.group(0)
    joined: list[tuple[str, bytes]] = []
    for charset, data in words:
        assert data is not None
        if joined and joined[-1][0] == charset:
            joined[-1] = (charset, joined[-1][1] + data)
        else:
            joined.append((charset, data))
    return " ".join(f"=?{c}?b?{base64.b64encode(d).decode('ascii')}?=" for c, d in joined)


def _word_bytes(word: re.Match[str]) -> bytes | None:
    payload = word.group(3)
    try:
        if word.group(2).lower() == "b":
            return base64.b64decode(payload + "=" * (-len(payload) % 4))
        return quoprimime.header_decode(payload).encode("latin-1")
    except (ValueError, UnicodeEncodeError):
        return None


def text_header(msg: Message, name: str) -> str:
    """A decoded unstructured header (Subject and the like), whitespace unfolded."""
    value = raw_header(msg, name)
    if value is None:
        return ""
    value = join_encoded_words(value)
    try:
        decoded = str(policy.default.header_fetch_parse(name, value))
    except Exception:
        try:
            decoded = str(make_header(decode_header(value)))
        except Exception:
            decoded = value
    return clean_text(" ".join(decoded.split()))


def address_header(msg: Message, name: str) -> tuple[tuple[str, str], ...]:
    """Every (display name, address) of an address header, groups flattened."""
    value = raw_header(msg, name)
    if value is None:
        return ()
    value = join_encoded_words(value)
    try:
        header = policy.default.header_fetch_parse(name, value)
        found = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:
        try:
            decoded = str(make_header(decode_header(value)))
        except Exception:
            decoded = value
        found = _legacy_addresses(decoded)
    return tuple(
        (clean_text(" ".join(n.split())), clean_text(a.strip())) for n, a in found if a.strip()
    )


def _legacy_addresses(value: str) -> list[tuple[str, str]]:
    """Addresses by the legacy parser, group labels (even quoted ones) removed first."""
    found: list[tuple[str, str]] = []
    for segment in value.split(";"):
        segment = _GROUP_LABEL.sub("", segment, count=1)
        found.extend((n, a) for n, a in utils.getaddresses([segment]) if "@" in a or a)
    return found


def id_list(msg: Message, name: str) -> tuple[str, ...]:
    """Message ids of Message-ID / In-Reply-To / References, without angle brackets."""
    value = raw_header(msg, name)
    if not value:
        return ()
    ids = _ANGLE_IDS.findall(value)
    if not ids and value.strip():
        ids = value.split()
    return tuple(clean_text(i.strip().strip("<>")) for i in ids if i.strip("<> \t"))


def date_header(msg: Message) -> datetime | None:
    """The Date header as an aware datetime (naive values read as UTC), or None."""
    value = raw_header(msg, "Date")
    if not value:
        return None
    try:
        parsed = utils.parsedate_to_datetime(value.strip())
    except Exception:
        return None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed
