"""Customers' media as each provider serves them, on one loopback server.

`FakeMedia` plays every provider's documented download flow (see ``providers.media``):

- WhatsApp Cloud: ``GET /{version}/{media-id}`` with the bearer token answers the media's
  ``url``, ``mime_type``, ``sha256``, ``file_size``; that ``url`` (``/lookaside/…``) answers
  the bytes, again only with the bearer token (Graph error 190 without it);
- Telegram: ``GET /bot<token>/getFile?file_id=…`` answers ``{"ok": true, "result": File}``
  (or "Bad Request: file is too big" over the bots' 20 MB), the bytes at
  ``/file/bot<token>/<file_path>``;
- Twilio: ``GET /2010-04-01/Accounts/{AccountSid}/Messages/{MM}/Media/{ME}`` needs the
  account's HTTP Basic credentials (20003 otherwise) and answers ``307`` to its storage
  (``/twilio-storage/…``), which, like a pre-signed S3 URL, refuses any ``Authorization``;
- Messenger and Instagram: ``/cdn/…`` serves the attachment's ``payload.url``, no credentials.

``cut`` paths announce a length and drop the connection before it. ``huge`` paths are
streamed with their full ``Content-Length`` announced, ``unsized`` ones with none (HTTP/1.0,
the end of the body being the end of the connection); both write for as long as the client
reads, and ``streamed_to`` says how much it did read.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from atiende.messaging.channels.contract import Media
from tests.messaging.channels.fake_graph import ACCESS_TOKEN
from tests.messaging.channels.fake_http import Answer, Recorded, StreamingApi, _recorded, running
from tests.messaging.channels.fake_telegram import TOKEN
from tests.messaging.channels.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, twilio_error

TELEGRAM_LIMIT = 20 * 1024 * 1024
_ids = itertools.count(1)

# Bytes of real file types, as the sniffing reads them.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 2000
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 500
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"%" * 1000
OGG = b"OggS\x00\x02" + b"\x00" * 2000
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 500


class FakeMedia(StreamingApi):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, tuple[bytes, str]] = {}  # path → (body, Content-Type)
        self.whatsapp: dict[str, dict[str, Any]] = {}  # media id → what the lookup answers
        self.telegram: dict[str, dict[str, Any]] = {}  # file_id → the File getFile answers
        self.twilio: dict[str, str] = {}  # media path → storage path it redirects to
        self.cut: dict[str, tuple[bytes, int]] = {}  # path → (body sent, length announced)

    # -- what the tests put on it ----------------------------------------------------------

    def whatsapp_medium(
        self,
        body: bytes,
        mime_type: str,
        *,
        filename: str = "",
        file_size: int | None = None,
    ) -> Media:
        """A WhatsApp medium, as the webhook names it (its media id); its bytes at
        ``lookaside_path(media_id)``."""
        media_id = f"{1_000_000_000 + next(_ids)}"
        self.files[lookaside_path(media_id)] = (body, mime_type)
        self.whatsapp[media_id] = {
            "messaging_product": "whatsapp",
            "url": f"{self.base_url}{lookaside_path(media_id)}?ext=1&hash=ATu2",
            "mime_type": mime_type,
            "sha256": hashlib.sha256(body).hexdigest(),
            "file_size": str(len(body) if file_size is None else file_size),
            "id": media_id,
        }
        return Media(reference=media_id, content_type=mime_type, filename=filename)

    def telegram_file(
        self, body: bytes, file_path: str, *, mime_type: str = "", size: int = 0
    ) -> Media:
        """A Telegram file, as the update names it (its file_id)."""
        file_id = f"BQACAgQAAxkBAAI{next(_ids)}"
        claimed = size or len(body)
        self.telegram[file_id] = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{next(_ids)}",
            "file_size": claimed,
            "file_path": file_path,
        }
        self.files[f"/file/bot{TOKEN}/{file_path}"] = (body, "application/octet-stream")
        return Media(reference=file_id, content_type=mime_type, size=claimed)

    def twilio_media(self, body: bytes, content_type: str) -> Media:
        """An MMS medium: its ``MediaUrl{N}`` on the API host, redirecting to storage."""
        sid = f"ME{next(_ids):032x}"
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'0' * 32}/Media/{sid}"
        storage = f"/twilio-storage/{sid}"
        self.twilio[path] = storage
        self.files[storage] = (body, content_type)
        return Media(reference=self.base_url + path, content_type=content_type)

    def cdn_file(self, body: bytes, content_type: str, name: str = "") -> Media:
        """A Messenger/Instagram attachment: ``payload.url`` on Meta's CDN."""
        path = f"/cdn/v/t1.15752-9/{name or next(_ids)}"
        self.files[path] = (body, content_type)
        return Media(reference=f"{self.base_url}{path}?_nc_cat=1&oh=abc")

    @staticmethod
    def path_of(medium: Media) -> str:
        """The path on this server of a medium given by its URL."""
        return urlsplit(medium.reference).path

    # -- what it answers -------------------------------------------------------------------

    def respond(self, request: Recorded) -> Answer:
        path = request.path
        authorization = request.headers.get("authorization", "")
        if path.startswith("/v") and path.count("/") == 2:  # WhatsApp's media lookup
            if authorization != f"Bearer {ACCESS_TOKEN}":
                return _graph_error(401, 190, "Invalid OAuth 2.0 Access Token")
            found = self.whatsapp.get(path.rsplit("/", 1)[1])
            if found is None:
                return _graph_error(404, 100, "Unsupported get request.")
            return Answer.json(200, found)
        if path.startswith("/lookaside/"):
            if authorization != f"Bearer {ACCESS_TOKEN}":
                return _graph_error(401, 190, "Invalid OAuth 2.0 Access Token")
            return self._file(path)
        if path == f"/bot{TOKEN}/getFile":
            found = self.telegram.get(request.query.get("file_id", [""])[0])
            if found is None:
                return _telegram_error(400, "Bad Request: invalid file_id")
            if found["file_size"] > TELEGRAM_LIMIT:
                return _telegram_error(400, "Bad Request: file is too big")
            return Answer.json(200, {"ok": True, "result": found})
        if path in self.twilio:
            credentials = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
            if authorization != f"Basic {credentials}":
                return twilio_error(401, 20003, "Authenticate")
            return Answer(307, b"", {"Location": self.base_url + quote(self.twilio[path])})
        if path.startswith("/twilio-storage/") and authorization:
            return Answer(400, b"<Error><Code>InvalidArgument</Code></Error>")
        return self._file(path)

    def _file(self, path: str) -> Answer:
        found = self.files.get(path)
        if found is None:
            return Answer(404, b"Not Found", {"Content-Type": "text/plain"})
        body, content_type = found
        return Answer(200, body, {"Content-Type": content_type})

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        if path in self.cut:  # the connection drops before the announced length
            with self._lock:
                self.requests.append(_recorded(handler, b""))
            body, announced = self.cut[path]
            handler.send_response(200)
            handler.send_header("Content-Length", str(announced))
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True
            return
        if not self.stream(handler, path, "video/mp4", MP4_HEAD):
            super()._serve(handler)


def lookaside_path(media_id: str) -> str:
    return f"/lookaside/whatsapp_business/attachments/{media_id}"


def _graph_error(status: int, code: int, message: str) -> Answer:
    return Answer.json(
        status, {"error": {"message": message, "type": "OAuthException", "code": code}}
    )


def _telegram_error(code: int, description: str) -> Answer:
    return Answer.json(code, {"ok": False, "error_code": code, "description": description})


@pytest.fixture(name="media_host")
def media_host_fixture() -> Iterator[FakeMedia]:
    yield from running(FakeMedia())
