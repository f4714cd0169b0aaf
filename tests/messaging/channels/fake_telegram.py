"""A fake Telegram Bot API on loopback, and webhook updates built as Telegram sends them.

`FakeTelegram` (a `fake_http.FakeApi`) answers the methods the adapter calls
(``sendMessage``, ``sendPhoto`` … ``sendMediaGroup``) with the documented
``{"ok": true, "result": Message}`` and the documented errors.

`update` wraps an Update into the `Incoming` a webhook view would build, with the
``X-Telegram-Bot-Api-Secret-Token`` header; `private_message` & co. build the Message objects
shown in the Bot API documentation (https://core.telegram.org/bots/api#message).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from atiende.messaging.channels.contract import AccountConfig, Incoming
from tests.messaging.channels.fake_http import Answer, FakeApi, Recorded, running

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
SECRET = "s3cr3t_Token-for-webhooks"
WEBHOOK_URL = "https://helpdesk.example/hooks/telegram/7/"
CHAT_ID = 111111111
BOT = {"id": 123456, "is_bot": True, "first_name": "Atiende", "username": "atiende_bot"}
LUCIA = {
    "id": CHAT_ID,
    "is_bot": False,
    "first_name": "Lucía",
    "last_name": "Pérez",
    "username": "lucia_p",
    "language_code": "es",
}
DATE = 1_767_225_600  # 2026-01-01 00:00 UTC
UPLOAD_LIMIT = 50 * 1024 * 1024  # a bot uploads files of at most 50 MB


# -- Telegram -------------------------------------------------------------------------------

MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendAudio": "audio",
    "sendVideo": "video",
    "sendVoice": "voice",
}


class FakeTelegram(FakeApi):
    """``/bot<token>/<method>`` as the Bot API answers it; ``blocked`` chats answer 403."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.blocked: set[int] = set()
        self._ids = itertools.count(5001)

    def respond(self, request: Recorded) -> Answer:
        prefix, _, method = request.path.lstrip("/").partition("/")
        if prefix != f"bot{self.token}":
            return _error(401, "Unauthorized")
        params = request.json if isinstance(request.json, dict) else {}
        params = params or {name: values[0] for name, values in request.form.items()}
        if request.files:  # multipart/form-data: files uploaded in the request ("Sending files")
            too_big = any(len(f.data) > UPLOAD_LIMIT for fs in request.files.values() for f in fs)
            if too_big:
                return _error(413, "Request Entity Too Large")
            params.update({name: "attach" for name, files in request.files.items() if files})
            chat = params.get("chat_id")
            if isinstance(chat, str) and chat.lstrip("-").isdecimal():
                params["chat_id"] = int(chat)
        if method != "sendMediaGroup" and method != "sendMessage" and method not in MEDIA_METHODS:
            return _error(404, "Not Found")
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            return _error(400, "Bad Request: chat_id is empty")
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        message: dict[str, Any] = {
            "from": BOT,
            "chat": {"id": chat_id, "first_name": "Lucía", "type": "private"},
            "date": int(time.time()),
        }
        if method == "sendMessage":
            text = params.get("text") or ""
            if not text:
                return _error(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return _error(400, "Bad Request: message is too long")
            return _ok({**message, "message_id": next(self._ids), "text": text})
        if method == "sendMediaGroup":
            media = params.get("media")
            if not isinstance(media, list) or not 2 <= len(media) <= 10:
                return _error(400, "Bad Request: wrong number of messages in media group")
            album = str(next(self._ids))
            return _ok(
                [
                    {**message, "message_id": next(self._ids), "media_group_id": album}
                    for _item in media
                ]
            )
        kind = MEDIA_METHODS[method]
        if not params.get(kind):
            return _error(400, f"Bad Request: there is no {kind} in the request")
        sent = {**message, "message_id": next(self._ids), kind: {"file_id": "AgAC-fake"}}
        if params.get("caption"):
            sent["caption"] = params["caption"]
        return _ok(sent)


def _ok(result: object) -> Answer:
    return Answer.json(200, {"ok": True, "result": result})


def _error(code: int, description: str, **parameters: object) -> Answer:
    body: dict[str, object] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Answer.json(code, body)


def too_many_requests(retry_after: int = 7) -> dict[str, object]:
    """The documented flood-control answer."""
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


@pytest.fixture(name="telegram_api")
def telegram_api_fixture() -> Iterator[FakeTelegram]:
    yield from running(FakeTelegram())


def telegram_config(api_base: str = "https://api.telegram.org") -> AccountConfig:
    return AccountConfig(
        provider="telegram",
        settings={},
        secrets={"bot_token": TOKEN, "webhook_secret": SECRET},
        api_base=api_base,
    )


# -- webhook updates ------------------------------------------------------------------------

_update_ids = itertools.count(820_000_000)


def update(
    payload: Mapping[str, Any] | bytes, *, secret: str | None = SECRET, url: str = WEBHOOK_URL
) -> Incoming:
    """The request Telegram POSTs: the Update as JSON, and the secret token header."""
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["x-telegram-bot-api-secret-token"] = secret
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Incoming(method="POST", url=url, headers=headers, body=body)


def message_update(message: Mapping[str, Any], kind: str = "message") -> dict[str, Any]:
    return {"update_id": next(_update_ids), kind: dict(message)}


def private_message(message_id: int = 1365, **content: Any) -> dict[str, Any]:
    """A Message in Lucía's private chat with the bot, with ``content`` (text=…, photo=…)."""
    chat = {key: LUCIA[key] for key in ("id", "first_name", "last_name", "username")}
    return {
        "message_id": message_id,
        "from": dict(LUCIA),
        "chat": {**chat, "type": "private"},
        "date": DATE,
        **content,
    }


def photo_sizes(file_id: str = "AgACAgQAAxkBAAIBZ") -> list[dict[str, Any]]:
    """``photo`` as Telegram sends it: the same picture in growing sizes."""
    sizes = [("s", 1523, 90, 67), ("m", 21504, 320, 240), ("x", 98311, 1280, 960)]
    return [
        {
            "file_id": f"{file_id}-{name}",
            "file_unique_id": f"AQAD{name}",
            "file_size": size,
            "width": width,
            "height": height,
        }
        for name, size, width, height in sizes
    ]


def voice(file_id: str = "AwACAgQAAxkBAAIBa") -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": "AgADvo",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": 10240,
    }
