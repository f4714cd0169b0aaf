"""A reply's attachments on a messaging channel: one provider message per file.

``sending`` sends the reply's text first, then each attachment as a part of its own (its own
outbound ``ChannelMessage``, so each shows its own delivery state). `file_parts` names the
files by a placeholder reference (``attachment:<id>``); just before a part is sent, `prepare`
turns the placeholder into what the provider takes:

- **WhatsApp**: the bytes are uploaded first (``POST /{phone-number-id}/media``) and the
  message names the media id;
- **Telegram**: the bytes go in the send request itself (multipart);

  both read the stored file in chunks while the request goes (`StoredFile`, a
  ``contract.FileSource``): a 50 MB attachment is never held in memory whole;
- **SMS (Twilio MMS), Messenger, Instagram**: a signed public link the provider fetches
  (``channels.file_links``, valid one hour).

A file over the provider's limit (`LIMITS`) is not sent: `FileNotSent` with the reason, and
that part alone is ``failed`` — the text and the other files still go. An upload the provider
refuses (4xx) is the same; an upload it could not take now (429, 5xx, no answer) raises
`UploadRetry` (or the transport's ``TransportError``), and the outbox tries the reply again
from that part on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from atiende.messaging.channels import file_links
from atiende.messaging.channels.contract import AccountConfig, Media, OutboundMessage
from atiende.messaging.channels.providers import graph, uploads, whatsapp
from atiende.messaging.channels.transport import perform
from atiende.tickets.models import Attachment, Message
from atiende.tickets.selectors import attachment_to_send

PLACEHOLDER = "attachment:"
MB = 1024 * 1024
# The largest file each provider takes, by kind ("document": any other file). Sources: the
# WhatsApp Cloud API media reference (images 5 MB, audio and video 16 MB, documents 100 MB);
# Telegram's "Sending files" (uploads up to 50 MB; a bigger photo goes as a document);
# Twilio's accepted media types (an MMS at most 5 MB); Messenger's "Saving assets" (25 MB,
# images fetched by URL 8 MB), which Instagram shares.
LIMITS: dict[str, dict[str, int]] = {
    "whatsapp": {"image": 5 * MB, "video": 16 * MB, "audio": 16 * MB, "document": 100 * MB},
    "telegram": {"document": 50 * MB},
    "twilio_sms": {"document": 5 * MB},
    "messenger": {"image": 8 * MB, "document": 25 * MB},
    "instagram": {"image": 8 * MB, "document": 25 * MB},
}
PROVIDER_NAMES = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "twilio_sms": "MMS",
    "messenger": "Messenger",
    "instagram": "Instagram",
}
UPLOAD_TIMEOUT = 120.0  # seconds to send a file's bytes (up to 100 MB) and get the answer
CHUNK = 64 * 1024  # bytes of a file read from storage at a time while it is uploaded


class FileNotSent(Exception):
    """This file cannot go on this channel; sending it again will not help."""


class UploadRetry(Exception):
    """The provider could not take the upload now; ``retry_after`` seconds it asked for."""

    def __init__(self, error: str, retry_after: int = 0) -> None:
        super().__init__(error)
        self.retry_after = retry_after


def file_parts(message: Message, to: str) -> list[OutboundMessage]:
    """One part per attachment of ``message``, in the order they were added."""
    rows = message.attachments.order_by("pk").values_list("pk", "filename", "content_type", "size")
    return [
        OutboundMessage(
            to=to,
            media=(
                Media(
                    reference=f"{PLACEHOLDER}{pk}",
                    content_type=content_type,
                    filename=filename,
                    size=size,
                ),
            ),
        )
        for pk, filename, content_type, size in rows
    ]


def limit_of(provider: str, content_type: str) -> int:
    """The largest file of ``content_type`` ``provider`` takes; 0 when it says no limit."""
    limits = LIMITS.get(provider, {})
    kind = whatsapp.media_kind(content_type) if provider == "whatsapp" else ""
    kind = kind or graph.media_kind(content_type)
    return limits.get(kind, limits.get("document", 0))


def refusal(provider: str, medium: Media) -> str:
    """Why ``medium`` cannot go on ``provider`` (too big); ``""`` when it can."""
    limit = limit_of(provider, medium.content_type)
    if not limit or medium.size <= limit:
        return ""
    return _(
        "%(name)s was not sent: it is %(size)s, and %(provider)s takes files of at most %(limit)s."
    ) % {
        "name": medium.filename,
        "size": filesizeformat(medium.size),
        "provider": PROVIDER_NAMES.get(provider, provider),
        "limit": filesizeformat(limit),
    }


def prepare(provider: str, config: AccountConfig, part: OutboundMessage) -> OutboundMessage:
    """``part`` as the provider takes it: a placeholder turned into a media id (uploaded
    now), the file's bytes, or a signed link. Parts without a placeholder come back as
    they are. ``FileNotSent``, ``UploadRetry`` or ``TransportError`` otherwise."""
    if len(part.media) != 1 or not part.media[0].reference.startswith(PLACEHOLDER):
        return part
    medium = part.media[0]
    attachment = attachment_to_send(_attachment_id(medium.reference))
    if attachment is None:
        raise FileNotSent(_("%(name)s is no longer stored.") % {"name": medium.filename})
    reason = refusal(provider, medium)
    if reason:
        raise FileNotSent(reason)
    if provider in ("whatsapp", "telegram"):
        stored = StoredFile.of(attachment)
        if stored is None:
            raise FileNotSent(_("%(name)s is no longer stored.") % {"name": medium.filename})
        carried = replace(medium, source=stored, size=stored.size)
        ready = _uploaded(config, carried) if provider == "whatsapp" else carried
    else:
        ready = replace(medium, reference=file_links.public_url(attachment))
    return replace(part, media=(ready,))


def timeout_for(part: OutboundMessage) -> float | None:
    """A longer time-out for a request that carries a file's bytes; else the transport's."""
    return UPLOAD_TIMEOUT if any(medium.carries_file for medium in part.media) else None


def _attachment_id(reference: str) -> int:
    value = reference.removeprefix(PLACEHOLDER)
    return int(value) if value.isdecimal() else 0


@dataclass(frozen=True)
class StoredFile:
    """An attachment's file in storage, read a chunk at a time as an upload is sent."""

    attachment: Attachment
    size: int

    @classmethod
    def of(cls, attachment: Attachment) -> StoredFile | None:
        """The file with its size as stored now; ``None`` when storage has lost it."""
        try:
            size = attachment.file.size
        except (OSError, ValueError):
            return None
        return cls(attachment, size)

    def chunks(self) -> Iterator[bytes]:
        with self.attachment.file.open("rb") as stored:
            yield from stored.chunks(CHUNK)


def _uploaded(config: AccountConfig, medium: Media) -> Media:
    """``medium`` uploaded to WhatsApp: named by its media id from now on."""
    response = perform(uploads.whatsapp_upload_request(config, medium), timeout=UPLOAD_TIMEOUT)
    result = uploads.whatsapp_upload_result(response)
    if result.ok:
        return replace(medium, reference=result.provider_id, content=b"", source=None)
    if result.retry:
        raise UploadRetry(result.error, result.retry_after)
    raise FileNotSent(
        _("WhatsApp refused the file %(name)s: %(error)s")
        % {"name": medium.filename, "error": result.error}
    )
