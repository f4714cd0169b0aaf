"""What WhatsApp Cloud, Messenger and Instagram share: they all speak Meta's Graph API.

- The webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``
  keyed with the app secret (developers.facebook.com/docs/graph-api/webhooks/getting-started,
  "Validate payloads"), and the ``GET`` verification handshake (``hub.mode=subscribe``,
  ``hub.verify_token``, ``hub.challenge``; same page, "Verification requests").
- Reading JSON defensively: every accessor names the field it found wrong, so a payload that
  is not Meta's raises ``PayloadError`` with a path like ``entry[0].changes[0].value.messages``.
- Reading the Graph error object of a failed send
  (developers.facebook.com/docs/graph-api/guides/error-handling: ``error.message``,
  ``error.code``, ``error.is_transient``, WhatsApp's ``error.error_data.details``) into a
  ``SendResult`` that says whether a retry can help.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from math import isfinite

from atiende.messaging.channels.contract import (
    AccountConfig,
    Incoming,
    Media,
    OutboundMessage,
    PayloadError,
    ProviderResponse,
    SendResult,
    SignatureError,
)

SIGNATURE_HEADER = "x-hub-signature-256"
# Meta's webhooks are small (a batch of a few events); anything much bigger is not theirs and is
# refused before the JSON parser spends time on it.
MAX_BODY = 3 * 1024 * 1024
# Graph error codes that mean "too many calls, later": 4 app, 17 user, 32 page, 613 call rate
# (Graph error-handling guide); 80007 WABA rate limit, 130429 throughput, 131056 pair rate
# (WhatsApp Cloud API error codes page); 2 "service temporarily unavailable".
RETRY_CODES = frozenset({2, 4, 17, 32, 613, 80007, 130429, 131056})
DEFAULT_VERSION = "v23.0"  # a version the Graph API reference currently lists
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
_DIGITS = re.compile(r"[0-9]{1,18}")

JSONObject = Mapping[str, object]


# --- signature and handshake ----------------------------------------------------------------


def signature(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for ``body``: what tests sign with and ``verify`` expects."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(config: AccountConfig, incoming: Incoming) -> None:
    """Raise ``SignatureError`` unless the app secret signed exactly these bytes."""
    secret = config.secrets.get("app_secret", "")
    if not secret:
        raise SignatureError("no app secret is configured: unsigned webhooks are refused")
    header = incoming.header(SIGNATURE_HEADER).strip()
    if not header:
        raise SignatureError("the X-Hub-Signature-256 header is missing")
    scheme, _, given = header.partition("=")
    if scheme.lower() != "sha256" or not _HEX64.fullmatch(given):
        raise SignatureError("the X-Hub-Signature-256 header is not sha256=<64 hex digits>")
    expected = signature(secret, incoming.body).partition("=")[2]
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureError("the X-Hub-Signature-256 signature does not match the body")


def handshake(config: AccountConfig, query: Mapping[str, str]) -> str:
    """The ``hub.challenge`` to echo when Meta verifies the webhook URL with our verify token.

    Raises ``SignatureError`` for any other request, so the view answers 403. The challenge is
    echoed only when it looks like Meta's (a number), never arbitrary text.
    """
    expected = config.secrets.get("verify_token", "") or config.settings.get("verify_token", "")
    token = query.get("hub.verify_token", "")
    challenge = query.get("hub.challenge", "")
    if not expected:
        raise SignatureError("no verify token is configured")
    if query.get("hub.mode") != "subscribe":
        raise SignatureError("hub.mode is not subscribe")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise SignatureError("hub.verify_token does not match")
    if not _CHALLENGE.fullmatch(challenge):
        raise SignatureError("hub.challenge is missing or malformed")
    return challenge


# --- reading JSON ---------------------------------------------------------------------------


def load(body: bytes) -> JSONObject:
    """The JSON object of a webhook body, or ``PayloadError``."""
    if len(body) > MAX_BODY:
        raise PayloadError(f"the body is larger than {MAX_BODY} bytes", field="body")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise PayloadError(f"the body is not JSON: {error}", field="body") from None
    return as_object(payload, "body")


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def as_object(value: object, where: str) -> JSONObject:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} is not an object", field=where)
    return value


def as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise PayloadError(f"{where} is not a list", field=where)
    return value


def get_object(data: JSONObject, key: str, where: str) -> JSONObject | None:
    """``data[key]`` as an object, ``None`` when absent."""
    value = data.get(key)
    return None if value is None else as_object(value, _at(where, key))


def need_object(data: JSONObject, key: str, where: str) -> JSONObject:
    found = get_object(data, key, where)
    if found is None:
        raise PayloadError(f"{_at(where, key)} is missing", field=_at(where, key))
    return found


def get_list(data: JSONObject, key: str, where: str, *, required: bool = False) -> list[object]:
    """``data[key]`` as a list; absent is an empty list unless ``required``."""
    value = data.get(key)
    if value is None:
        if required:
            raise PayloadError(f"{_at(where, key)} is missing", field=_at(where, key))
        return []
    return as_list(value, _at(where, key))


def objects(data: JSONObject, key: str, where: str, *, required: bool = False) -> list[JSONObject]:
    """``data[key]`` as a list of objects, each checked with its index in the path."""
    path = _at(where, key)
    return [
        as_object(item, f"{path}[{index}]")
        for index, item in enumerate(get_list(data, key, where, required=required))
    ]


def get_str(data: JSONObject, key: str, where: str) -> str:
    """``data[key]`` as a string, ``""`` when absent."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{_at(where, key)} is not a string", field=_at(where, key))
    return value


def need_str(data: JSONObject, key: str, where: str) -> str:
    value = get_str(data, key, where)
    if not value:
        raise PayloadError(f"{_at(where, key)} is missing or empty", field=_at(where, key))
    return value


def get_int(data: JSONObject, key: str, where: str) -> int | None:
    """``data[key]`` as an integer (Meta writes some as strings), ``None`` when absent."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(f"{_at(where, key)} is not an integer", field=_at(where, key))
    return value


def get_number(data: JSONObject, key: str, where: str) -> float | None:
    """``data[key]`` as a finite number, ``None`` when absent."""
    value = data.get(key)
    if value is None:
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
            if isfinite(number):
                return number
    except OverflowError:  # an integer too long for a float
        pass
    raise PayloadError(f"{_at(where, key)} is not a number", field=_at(where, key))


def time_of(number: int, where: str, *, millis: bool = False) -> datetime:
    """An aware UTC datetime from unix seconds (or milliseconds), or ``PayloadError`` when the
    number is no plausible time."""
    try:
        return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise PayloadError(f"{where} is not a valid time", field=where) from None


def need_time(data: JSONObject, key: str, where: str, *, millis: bool = False) -> datetime:
    """A unix timestamp (seconds, or milliseconds) given as a number or a digit string."""
    number = get_int(data, key, where)
    if number is None:
        raise PayloadError(f"{_at(where, key)} is missing", field=_at(where, key))
    return time_of(number, _at(where, key), millis=millis)


# --- sending --------------------------------------------------------------------------------


def version(config: AccountConfig) -> str:
    """The Graph API version of the account's URLs: ``settings["api_version"]`` or ours."""
    value = config.settings.get("api_version", "").strip() or DEFAULT_VERSION
    return value if value.startswith("v") else f"v{value}"


def url(config: AccountConfig, *parts: str) -> str:
    return "/".join([config.api_base.rstrip("/"), version(config), *parts])


def json_request_headers(config: AccountConfig) -> dict[str, str]:
    """The bearer token in a header, never in the URL, where it would end up in logs."""
    return {
        "Authorization": f"Bearer {config.secrets.get('access_token', '')}",
        "Content-Type": "application/json",
    }


def dump(body: Mapping[str, object]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def media_kind(content_type: str) -> str:
    """``image``/``video``/``audio`` from a MIME type, anything else a ``document``."""
    major = content_type.partition("/")[0].strip().lower()
    return major if major in ("image", "video", "audio") else "document"


def split_outbound(
    message: OutboundMessage, caption_kinds: frozenset[str] = frozenset()
) -> list[OutboundMessage]:
    """``message`` as the messages Meta's APIs send one per request: the text, then each
    attachment on its own, the first part answering ``reply_to``.

    An attachment keeps its caption when its ``media_kind`` is in ``caption_kinds``; otherwise
    the caption goes before it as a text of its own. ``send_request`` builds one request per
    ``OutboundMessage``; the delivery calls the adapter's ``split`` first.
    """
    if message.template or not message.media:
        return [message]
    parts: list[OutboundMessage] = []

    def add(text: str, media: tuple[Media, ...]) -> None:
        reply_to = "" if parts else message.reply_to
        parts.append(replace(message, text=text, media=media, reply_to=reply_to))

    if message.text:
        add(message.text, ())
    for medium in message.media:
        if medium.caption and media_kind(medium.content_type) not in caption_kinds:
            add(medium.caption, ())
            medium = replace(medium, caption="")
        add("", (medium,))
    return parts


def _json_or_none(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def success_body(response: ProviderResponse) -> JSONObject | None:
    """The JSON object of a 2xx answer, ``None`` for anything else."""
    if not 200 <= response.status < 300:
        return None
    found = _json_or_none(response.body)
    return found if isinstance(found, dict) else None


def failure(response: ProviderResponse, fallback: str = "") -> SendResult:
    """A failed send in the provider's words; retried on 429, 5xx and throttling codes."""
    retry = response.status == 429 or response.status >= 500
    parsed = _json_or_none(response.body)
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, dict) else None
        words = [f"HTTP {response.status}"]
        if isinstance(code, int) and not isinstance(code, bool):
            words.append(f"code {code}")
            retry = retry or code in RETRY_CODES
        if isinstance(message, str) and message:
            words.append(message)
        if isinstance(details, str) and details and details != message:
            words.append(details)
        retry = retry or error.get("is_transient") is True
        return SendResult(error=": ".join(words), retry=retry)
    text = response.body[:200].decode("utf-8", "replace").strip()
    detail = fallback or text
    return SendResult(
        error=f"HTTP {response.status}" + (f": {detail}" if detail else ""), retry=retry
    )
