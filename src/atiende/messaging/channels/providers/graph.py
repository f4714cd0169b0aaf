"""What WhatsApp Cloud, Messenger and Instagram share: they all speak Meta's Graph API.

- The webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``
  keyed with the app secret (developers.facebook.com/docs/graph-api/webhooks/getting-started,
  "Validate payloads"), and the ``GET`` verification handshake (``hub.mode=subscribe``,
  ``hub.verify_token``, ``hub.challenge``; same page, "Verification requests").
- Reading a webhook body: ``load`` (the readers and limits are ``payload``'s, shared by every
  adapter).
- Reading the Graph error object of a failed send
  (developers.facebook.com/docs/graph-api/guides/error-handling: ``error.message``,
  ``error.code``, ``error.is_transient``, WhatsApp's ``error.error_data.details``) into a
  ``SendResult`` that says whether a retry can help, and when (``Retry-After`` on a 429).
- ``split_outbound``: a message as the Send APIs take it, one attachment a request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import replace

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Incoming,
    Media,
    OutboundMessage,
    ProviderRequest,
    ProviderResponse,
    SendResult,
    SignatureError,
)
from atiende.messaging.channels.providers.fields import Fields
from atiende.messaging.channels.providers.payload import answer_json, load_object, retry_after

SIGNATURE_HEADER = "x-hub-signature-256"
# Graph error codes that mean "too many calls, later": 4 app, 17 user, 32 page, 613 call rate
# (Graph error-handling guide); 80007 WABA rate limit, 130429 throughput, 131056 pair rate
# (WhatsApp Cloud API error codes page); 2 "service temporarily unavailable".
RETRY_CODES = frozenset({2, 4, 17, 32, 613, 80007, 130429, 131056})
DEFAULT_VERSION = "v23.0"  # a version the Graph API reference currently lists
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,256}")

JSONObject = Fields  # the name the Meta adapters use


# --- signature and handshake ----------------------------------------------------------------


def signature(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for ``body``: what tests sign with and ``verify`` expects."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(config: AccountConfig, incoming: Incoming) -> None:
    """Raise ``SignatureError`` unless the app secret signed exactly these bytes."""
    secret = config.secrets.get("app_secret", "")
    if not secret:
        raise SignatureError(_("no app secret is configured: unsigned webhooks are refused"))
    header = incoming.header(SIGNATURE_HEADER).strip()
    if not header:
        raise SignatureError(_("the X-Hub-Signature-256 header is missing"))
    scheme, _sep, given = header.partition("=")
    if scheme.lower() != "sha256" or not _HEX64.fullmatch(given):
        raise SignatureError(_("the X-Hub-Signature-256 header is not sha256=<64 hex digits>"))
    expected = signature(secret, incoming.body).partition("=")[2]
    if not hmac.compare_digest(expected, given.lower()):
        raise SignatureError(_("the X-Hub-Signature-256 signature does not match the body"))


def handshake(config: AccountConfig, query: Mapping[str, str]) -> str:
    """The ``hub.challenge`` to echo when Meta verifies the webhook URL with our verify token.

    Raises ``SignatureError`` for any other request, so the view answers 403. The challenge is
    echoed only when it looks like Meta's (a number), never arbitrary text.
    """
    expected = config.secrets.get("verify_token", "") or config.settings.get("verify_token", "")
    token = query.get("hub.verify_token", "")
    challenge = query.get("hub.challenge", "")
    if not expected:
        raise SignatureError(_("no verify token is configured"))
    if query.get("hub.mode") != "subscribe":
        raise SignatureError(_("hub.mode is not subscribe"))
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise SignatureError(_("hub.verify_token does not match"))
    if not _CHALLENGE.fullmatch(challenge):
        raise SignatureError(_("hub.challenge is missing or malformed"))
    return challenge


def load(body: bytes) -> JSONObject:
    """The JSON object of a webhook body, or ``PayloadError``."""
    return load_object(body)


class GraphWebhooks:
    """What every Meta adapter does alike with its webhooks: check ``X-Hub-Signature-256``
    (``verify``) and answer the verification handshake (``handshake``)."""

    def verify(self, config: AccountConfig, incoming: Incoming) -> None:
        verify_signature(config, incoming)

    def handshake(self, config: AccountConfig, query: Mapping[str, str]) -> str:
        return handshake(config, query)


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


def messages_request(
    config: AccountConfig, node: str, body: Mapping[str, object]
) -> ProviderRequest:
    """``POST /{version}/{node}/messages`` with ``body`` as JSON: every Meta send."""
    return ProviderRequest(
        method="POST",
        url=url(config, node, "messages"),
        headers=json_request_headers(config),
        body=dump(body),
    )


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


def success_body(response: ProviderResponse) -> JSONObject | None:
    """The JSON object of a 2xx answer, ``None`` for anything else."""
    return answer_json(response) if 200 <= response.status < 300 else None


def failure(response: ProviderResponse, fallback: str = "") -> SendResult:
    """A failed send in the provider's words; retried on 429, 5xx and throttling codes, after
    the ``Retry-After`` a 429 names."""
    retry = response.status == 429 or response.status >= 500
    wait = retry_after(response) if response.status == 429 else 0
    parsed = answer_json(response) or {}
    error = parsed.get("error")
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
        return SendResult(error=": ".join(words), retry=retry, retry_after=wait)
    text = response.body[:200].decode("utf-8", "replace").strip()
    detail = fallback or text
    return SendResult(
        error=f"HTTP {response.status}" + (f": {detail}" if detail else ""),
        retry=retry,
        retry_after=wait,
    )
