"""Sending a file's bytes to a provider: ``multipart/form-data`` bodies, and WhatsApp's upload.

* **WhatsApp Cloud API** (whatsapp/cloud-api/reference/media, "Upload media"): ``POST
  /{version}/{phone-number-id}/media`` with the bearer token, multipart fields
  ``messaging_product=whatsapp``, ``type`` (the file's MIME type) and ``file``; the answer is
  ``{"id": "<media id>"}``, which a message then names (``{"image": {"id": …}}``) instead
  of a ``link``. Limits (same reference, "Supported media types"): images 5 MB, audio and
  video 16 MB, documents 100 MB.
* **Telegram** takes the file in the send request itself (``telegram_send``), as a multipart
  field named after the media kind ("Sending files": 10 MB for photos, 50 MB otherwise).

Pure: requests and answers only, the transport performs them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from atiende.messaging.channels.contract import (
    AccountConfig,
    Media,
    ProviderRequest,
    ProviderResponse,
    SendResult,
)
from atiende.messaging.channels.providers import graph


@dataclass(frozen=True)
class FilePart:
    """One file field of a multipart body."""

    name: str
    filename: str
    content_type: str
    data: bytes


def multipart(fields: Sequence[tuple[str, str]], files: Sequence[FilePart]) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` (with the boundary) for ``fields`` and ``files``.

    Names and filenames are quoted as RFC 7578 says: ``"`` and line breaks are
    percent-encoded, never passed through into the header.
    """
    boundary = "atiende-" + secrets.token_hex(16)
    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(_head(boundary, f'form-data; name="{_quoted(name)}"'))
        chunks.append(value.encode("utf-8") + b"\r\n")
    for file in files:
        disposition = f'form-data; name="{_quoted(file.name)}"; filename="{_quoted(file.filename)}"'
        chunks.append(_head(boundary, disposition, file.content_type or "application/octet-stream"))
        chunks.append(file.data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


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
        [FilePart("file", medium.filename or "file", medium.content_type, medium.content)],
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
