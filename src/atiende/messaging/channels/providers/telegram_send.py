"""Telegram's sending half: ``sendMessage`` & co. requests, and reading their answers.

``TelegramBot.split``, ``send_request`` and ``send_result`` are these functions (see the
``telegram`` module docstring for the Bot API version and the choices made).

* Methods answer ``{"ok": true, "result": …}`` or
  ``{"ok": false, "error_code": …, "description": …, "parameters": {"retry_after": …}}``.
* Outbound media go by URL, which Telegram fetches itself (photos up to 5 MB, other files up
  to 20 MB; ``sendDocument`` by URL only works for GIF, PDF and ZIP files), or — when a
  ``Media`` carries its ``content`` — uploaded in the request as ``multipart/form-data``
  (photos up to 10 MB, other files up to 50 MB): how a reply's attachments go.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Media,
    MessageRejected,
    OutboundMessage,
    ProviderRequest,
    ProviderResponse,
    SendResult,
)
from atiende.messaging.channels.providers.outbound import (
    check_length,
    media_batches,
    require_content,
)
from atiende.messaging.channels.providers.payload import (
    MAX_RETRY_AFTER,
    answer_json,
    retry_after,
)
from atiende.messaging.channels.providers.uploads import FilePart, multipart

type Json = dict[str, Any]

TEXT_LIMIT = 4096  # sendMessage: 1-4096 characters
CAPTION_LIMIT = 1024  # sendPhoto & co.: 0-1024 characters
MEDIA_GROUP_LIMIT = 10  # sendMediaGroup: 2-10 items
PHOTO_LIMIT = 10 * 1024 * 1024  # sendPhoto: a photo of at most 10 MB


def split(message: OutboundMessage) -> list[OutboundMessage]:
    """What one request cannot carry, in parts: attachments in albums of at most
    ``MEDIA_GROUP_LIMIT``, and a text too long to be their caption (``CAPTION_LIMIT``) as
    a message of its own before them. A text alone is never split: over ``TEXT_LIMIT`` it
    is refused, not cut."""
    if not message.media:
        return [message]
    parts: list[OutboundMessage] = []
    if len(message.text.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
        parts.append(replace(message, media=()))
        message = replace(message, text="", reply_to="")
    return parts + media_batches(message, MEDIA_GROUP_LIMIT)


def send_request(config: AccountConfig, message: OutboundMessage) -> ProviderRequest:
    """``sendMessage``, or ``sendPhoto``/… with the text as caption, or ``sendMediaGroup``.

    Plain text (no ``parse_mode``), so nothing needs escaping. Raises ``MessageRejected``
    when the message is empty or longer than Telegram takes (``split`` first): it is
    never cut silently.
    """
    payload: Json = {"chat_id": _chat_id(message.to)}
    if message.media:
        method = _media_payload(payload, message.text, message.media)
    else:
        check_length(message.text, TEXT_LIMIT, "Telegram", utf16=True)
        require_content(replace(message, template=""))
        method = "sendMessage"
        payload["text"] = message.text
    reply = _message_id_of(message.reply_to)
    if reply is not None:
        # Bot API 7.0 replaced reply_to_message_id with reply_parameters.
        payload["reply_parameters"] = {"message_id": reply, "allow_sending_without_reply": True}
    token = config.secrets.get("bot_token", "")
    if not token:
        raise ValueError(_("The Telegram account has no bot token."))
    url = f"{config.api_base.rstrip('/')}/bot{token}/{method}"
    if any(item.carries_file for item in message.media):
        return _upload_request(url, payload, message.media)
    return ProviderRequest(
        method="POST",
        url=url,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
    )


def _upload_request(url: str, payload: Json, media: Sequence[Media]) -> ProviderRequest:
    """The same method as ``multipart/form-data`` with the file itself ("Sending files":
    10 MB for a photo, 50 MB for any other file): one attachment a request, the field named
    after its kind; the other parameters as fields, objects in JSON."""
    if len(media) != 1:
        raise MessageRejected(_("Telegram uploads one file per message: split it first"))
    medium = media[0]
    kind = _media_kind(medium.content_type, medium.size or len(medium.content))
    fields = [
        (name, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for name, value in payload.items()
        if name != kind
    ]
    body, content_type = multipart(fields, [FilePart.of(kind, medium)])
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    return ProviderRequest(method="POST", url=url, headers=headers, body=body)


def send_result(response: ProviderResponse) -> SendResult:
    """``ok`` with the sent Message (or, from ``sendMediaGroup``, a list: its first);
    flood control is retried after ``parameters.retry_after``."""
    answer = answer_json(response) or {}
    if answer.get("ok") is True and 200 <= response.status < 300:
        return _sent(answer.get("result"))
    code = answer.get("error_code")
    if not isinstance(code, int) or isinstance(code, bool):
        code = response.status
    description = answer.get("description")
    error = f"{code} {description}" if isinstance(description, str) else f"HTTP {code}"
    parameters = answer.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    if code == 429 or response.status == 429:
        after = parameters.get("retry_after")
        wait = retry_after(response)
        if isinstance(after, int) and not isinstance(after, bool):
            error += " " + _("(retry after %(seconds)d s)") % {"seconds": after}
            wait = max(0, min(after, MAX_RETRY_AFTER))
        return SendResult(error=error, retry=True, retry_after=wait)
    if code >= 500 or response.status >= 500:
        return SendResult(error=error, retry=True)
    migrated = parameters.get("migrate_to_chat_id")
    if migrated is not None:
        error += " " + _("(the chat is now %(chat)s)") % {"chat": migrated}
    return SendResult(error=error, retry=False)


def _chat_id(to: str) -> int | str:
    """Chat ids are integers; ``@channelusername`` is the documented other form."""
    try:
        return int(to)
    except ValueError:
        if to.startswith("@"):
            return to
        raise MessageRejected(_("%(to)s is not a Telegram chat id.") % {"to": to}) from None


def _message_id_of(provider_id: str) -> int | None:
    """``"<chat_id>:<message_id>[:edit:<date>]"`` → the message id; ``None`` if not ours."""
    parts = provider_id.split(":")
    if len(parts) < 2:
        return None
    try:
        return int(parts[1])
    except ValueError:
        return None


def _media_kind(content_type: str, size: int = 0) -> str:
    """The InputMedia type (and send method) Telegram plays best for a content type; a
    picture over ``PHOTO_LIMIT`` goes as a document."""
    if content_type in ("image/jpeg", "image/png", "image/webp"):
        return "photo" if size <= PHOTO_LIMIT else "document"
    if content_type.startswith("video/"):
        return "video"
    if content_type in ("audio/mpeg", "audio/mp4", "audio/x-m4a"):
        return "audio"
    return "document"


METHODS = {
    "photo": "sendPhoto",
    "video": "sendVideo",
    "audio": "sendAudio",
    "document": "sendDocument",
}


def _media_payload(payload: Json, text: str, media: Sequence[Media]) -> str:
    """Fill ``payload`` for one attachment or an album; the text becomes the caption."""
    check_length(text, CAPTION_LIMIT, "Telegram", utf16=True)
    if len(media) > MEDIA_GROUP_LIMIT:
        raise MessageRejected(
            _("Telegram sends at most %(limit)d attachments in one message.")
            % {"limit": MEDIA_GROUP_LIMIT}
        )
    kinds = [_media_kind(item.content_type, item.size or len(item.content)) for item in media]
    if len(media) == 1:
        payload[kinds[0]] = media[0].reference
        if text:
            payload["caption"] = text
        return METHODS[kinds[0]]
    # Albums mix photos and videos; audio and documents only group with their own kind.
    if set(kinds) - {"photo", "video"} and len(set(kinds)) > 1:
        kinds = ["document"] * len(kinds)
    items: list[Json] = [
        {"type": kind, "media": item.reference} for kind, item in zip(kinds, media, strict=True)
    ]
    if text:
        items[0]["caption"] = text
    payload["media"] = items
    return "sendMediaGroup"


def _sent(result: object) -> SendResult:
    if isinstance(result, list) and result:
        result = result[0]
    if isinstance(result, Mapping):
        chat = result.get("chat")
        message_id = result.get("message_id")
        chat_id = chat.get("id") if isinstance(chat, Mapping) else None
        if _is_int(message_id) and _is_int(chat_id):
            return SendResult(provider_id=f"{chat_id}:{message_id}")
    return SendResult(error=_("Telegram accepted the message but returned no message id."))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
