"""Sending a file's bytes to a provider: ``multipart/form-data`` bodies, and WhatsApp's upload.

* **WhatsApp Cloud API** (whatsapp/cloud-api/reference/media, "Upload media"): ``POST
  /{version}/{phone-number-id}/media`` with the bearer token, multipart fields
  ``messaging_product=whatsapp``, ``type`` (the file's MIME type) and ``file``; the answer is
  ``{"id": "<media id>"}``, which a message then names (``{"image": {"id": …}}``) instead
  of a ``link``. Limits (same reference, "Supported media types"): images 5 MB, audio and
  video 16 MB, documents 100 MB.
* **Telegram** takes the file in the send request itself (``telegram_send``), as a multipart
  field named after the media kind ("Sending files": 10 MB for photos, 50 MB otherwise).

A file given as a ``FileSource`` (a stored attachment) makes the body ``Streamed``: the
transport reads the file in chunks while it sends, with the ``Content-Length`` known
beforehand, so an upload of 50 MB never holds 50 MB (let alone the copies a joined body
makes).

Pure: requests and answers only, the transport performs them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    FileSource,
    Media,
    ProviderRequest,
    ProviderResponse,
    SendResult,
    Streamed,
)
from atiende.messaging.channels.providers import graph


@dataclass(frozen=True)
class FilePart:
    """One file field of a multipart body: its bytes, or a ``source`` read as it is sent."""

    name: str
    filename: str
    content_type: str
    data: bytes = b""
    source: FileSource | None = None

    @classmethod
    def of(cls, name: str, medium: Media) -> FilePart:
        """``medium``'s file as field ``name`` (streamed when it has a ``source``)."""
        filename = medium.filename or name
        return cls(name, filename, medium.content_type, medium.content, medium.source)


def multipart(
    fields: Sequence[tuple[str, str]], files: Sequence[FilePart]
) -> tuple[bytes | Streamed, str]:
    """The body and its ``Content-Type`` (with the boundary) for ``fields`` and ``files``:
    bytes, or ``Streamed`` when a file comes from a ``source``.

    Names and filenames are quoted as RFC 7578 says: ``"`` and line breaks are
    percent-encoded, never passed through into the header.
    """
    boundary = "atiende-" + secrets.token_hex(16)
    pieces: list[bytes | FileSource] = []
    for name, value in fields:
        pieces.append(_head(boundary, f'form-data; name="{_quoted(name)}"'))
        pieces.append(value.encode("utf-8") + b"\r\n")
    for file in files:
        disposition = f'form-data; name="{_quoted(file.name)}"; filename="{_quoted(file.filename)}"'
        pieces.append(_head(boundary, disposition, file.content_type or "application/octet-stream"))
        pieces.extend([file.source, b"\r\n"] if file.source is not None else [file.data + b"\r\n"])
    pieces.append(f"--{boundary}--\r\n".encode())
    content_type = f"multipart/form-data; boundary={boundary}"
    if any(not isinstance(piece, bytes) for piece in pieces):
        return Streamed(tuple(pieces)), content_type
    return b"".join(p for p in pieces if isinstance(p, bytes)), content_type


def _head(boundary: str, disposition: str, content_type: str = "") -> bytes:
    lines = [f"--{boundary}", f"Content-Disposition: {disposition}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _quoted(value: str) -> str:
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


# --- WhatsApp Cloud API ---------------------------------------------------------------------


def whatsapp_upload_request(config: AccountConfig, medium: Media) -> ProviderRequest:
    """``POST /{phone-number-id}/media`` carrying ``medium.content``."""
    phone = config.settings.get("phone_number_id", "")
    if not phone:
        raise ValueError(_("The WhatsApp account has no phone number id."))
    body, content_type = multipart(
        [("messaging_product", "whatsapp"), ("type", medium.content_type)],
        [FilePart.of("file", medium)],
    )
    headers = graph.json_request_headers(config)
    headers["Content-Type"] = content_type
    return ProviderRequest(
        method="POST", url=graph.url(config, phone, "media"), headers=headers, body=body
    )


def whatsapp_upload_result(response: ProviderResponse) -> SendResult:
    """The media id as ``provider_id``, or the Graph error (retried as a send is)."""
    body = graph.success_body(response)
    if body is None:
        return graph.failure(response)
    media_id = body.get("id")
    if isinstance(media_id, str) and media_id:
        return SendResult(provider_id=media_id)
    return graph.failure(response, "the answer carries no media id")
