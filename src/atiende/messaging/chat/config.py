"""The chat's knobs and a widget's settings checked: allowed origins and the pre-chat form.

Knobs are read when used (``settings.ATIENDE_CHAT`` may override any key), so tests and
deployments change them without a restart of the import.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from atiende.core.errors import ErrorCollector, Invalid

DEFAULTS: dict[str, float] = {
    # Messages a visitor may send at once, and how many more each second after (a bucket).
    "MESSAGE_BURST": 10.0,
    "MESSAGES_PER_SECOND": 1.0,
    # Any frame (typing, hello…): a misbehaving page cannot turn its socket into a flood.
    "FRAME_BURST": 60.0,
    "FRAMES_PER_SECOND": 20.0,
    # A visitor's typing is told to the agents at most this often (seconds).
    "TYPING_GAP_SECONDS": 2.0,
    # The largest file a visitor may upload (bytes), below the attachment limit.
    "MAX_UPLOAD_BYTES": 10.0 * 1024 * 1024,
    # A visitor whose socket spoke within this many seconds reads along (no reply mail needed).
    "ONLINE_SECONDS": 60.0,
    # At most this many missed messages are sent on a reconnect.
    "CATCH_UP_LIMIT": 200.0,
    # How long a file's link in the transcript stays valid (seconds; ``chat.file_links``).
    "FILE_LINK_SECONDS": 24 * 3600.0,
}

MAX_TEXT = 4000
MAX_FRAME = 16 * 1024
MAX_ORIGINS = 50
MAX_FIELDS = 10
MAX_ATTACHMENTS = 5
KNOWN_FIELDS = ("name", "email", "phone")
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LANGUAGES = ("", "es", "en")
# A host name as browsers send it in ``Origin`` (punycode, no wildcards: ``*`` alone is the one
# wildcard, for any site).
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$")


def value(name: str) -> float:
    """The configured value of ``name`` (one of ``DEFAULTS``)."""
    overrides: dict[str, float] = getattr(settings, "ATIENDE_CHAT", {})
    return float(overrides.get(name, DEFAULTS[name]))


def max_upload() -> int:
    return int(min(value("MAX_UPLOAD_BYTES"), settings.ATIENDE_MAX_ATTACHMENT_BYTES))


def clean_origin(raw: Any) -> str:
    """``https://www.example.com[:port]`` as a browser sends it in ``Origin``; or ``*``."""
    text = str(raw).strip().rstrip("/") if isinstance(raw, str) else ""
    if text == "*":
        return text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(text)
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(text)
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6, kept in its brackets as the browser sends it
    elif not HOST.match(host):
        raise ValueError(text)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def clean_origins(values: Any) -> list[str]:
    if not isinstance(values, list) or len(values) > MAX_ORIGINS:
        raise Invalid.field(
            "allowed_origins",
            _("Give a list of at most %(max)d origins.") % {"max": MAX_ORIGINS},
        )
    cleaned: list[str] = []
    for raw in values:
        try:
            origin = clean_origin(raw)
        except ValueError:
            raise Invalid.field(
                "allowed_origins",
                _("“%(origin)s” is not an origin such as https://www.example.com.")
                % {"origin": raw},
            ) from None
        if origin not in cleaned:
            cleaned.append(origin)
    return cleaned


def clean_prechat_fields(values: Any) -> list[dict[str, Any]]:
    """The pre-chat form: each field a known one (name, email, phone) or a key of its own."""
    errors = ErrorCollector()
    if not isinstance(values, list) or len(values) > MAX_FIELDS:
        raise Invalid.field(
            "prechat_fields", _("Give a list of at most %(max)d fields.") % {"max": MAX_FIELDS}
        )
    cleaned: list[dict[str, Any]] = []
    for item in values:
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not FIELD_KEY.match(key):
            errors.add("prechat_fields", _("Each field needs a key of lower-case letters."))
            continue
        if any(f["key"] == key for f in cleaned):
            errors.add("prechat_fields", _("The field “%(key)s” appears twice.") % {"key": key})
            continue
        label = item.get("label", "")
        cleaned.append(
            {
                "key": key,
                "label": str(label)[:100] if isinstance(label, str) else "",
                "required": bool(item.get("required", False)),
            }
        )
    errors.raise_if_any()
    return cleaned


def clean_colour(raw: Any) -> str:
    if not isinstance(raw, str) or not COLOUR.match(raw):
        raise Invalid.field("accent_color", _("Give a colour such as #1f5fbf."))
    return raw.lower()


def clean_language(raw: Any) -> str:
    if raw not in LANGUAGES:
        raise Invalid.field("language", _("Choose Spanish, English or the visitor's browser."))
    return str(raw)


def origin_allowed(origin: str, allowed: list[str], *, own_host: str = "") -> bool:
    """Whether a page at ``origin`` may use a widget that allows ``allowed``.

    Pages of this Atiende itself (its portal) always may: ``own_host`` is the host the request
    was made to (compared without the port: the embedded server takes sockets on a port of
    their own).
    """
    try:
        cleaned = clean_origin(origin)
    except ValueError:
        return False
    if "*" in allowed or cleaned in allowed:
        return True
    return bool(own_host) and urlsplit(cleaned).hostname == own_host.lower()
