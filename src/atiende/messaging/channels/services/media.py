"""A customer's media, downloaded from the provider and kept as the message's attachments.

Runs OUTSIDE any database transaction, before the payload's: it waits on the network, and a
slow provider must hold neither a ticket's lock nor SQLite's write lock. Each medium goes
through its provider's documented flow (``providers.media``: a lookup, then the download),
``channels.downloads`` spools it to disk within the attachment limit
(``ATIENDE_MAX_ATTACHMENT_BYTES``, the limit of every attachment), and the ticket services
store it (``write_file``: content-addressed, so storing it again is free). What comes back per
medium is a ``Fetched``: the stored file, or the line that says in the message why not ("too
large", "could not be downloaded", "not kept"). Nothing raises: a medium the desk could not
get is named in the text, never silently lost, and never holds up the message.

Only the types a conversation carries are kept (``accepted_type``: pictures, sound, video,
PDF and office documents, plain text, zip), judged by the bytes, never by what the provider
or the customer claimed; a web page or a program is refused however it is named.

Inside the payload's transaction, ``attach`` records the stored files on the ticket; their
ids go to ``add_channel_message(attachment_ids=…)``, or, for the message that opens a ticket,
to ``attach_to_message``, as the email intake does.
"""

from __future__ import annotations

import http.client
import logging
import mimetypes
import time
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError
from atiende.messaging.channels import downloads
from atiende.messaging.channels.contract import AccountConfig, InboundMessage, Media
from atiende.messaging.channels.downloads import megabytes
from atiende.messaging.channels.providers import media as sources
from atiende.messaging.channels.providers.media import MediaTooLarge, MediaUnavailable
from atiende.messaging.channels.transport import perform
from atiende.messaging.models import ChannelAccount, ChannelDirection, ChannelMessage
from atiende.tickets.services.attachments import StoredFile, attach_file, write_file

log = logging.getLogger(__name__)

MAX_MEDIA = 10  # per message: Twilio's most; WhatsApp and Telegram send one
TIMEOUT = 10.0  # seconds per socket operation (``ATIENDE_CHANNEL_MEDIA_TIMEOUT``)
BUDGET = 120.0  # seconds for all of one message's media (``ATIENDE_CHANNEL_MEDIA_BUDGET``)

ACCEPTED_PREFIXES = ("image/", "audio/", "video/")
REFUSED = frozenset({"image/svg+xml"})  # a picture that runs scripts
ACCEPTED = frozenset(
    {
        "application/ogg",  # voice notes
        "application/pdf",
        "application/zip",
        "application/rtf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "text/plain",
        "text/csv",
        "text/rtf",
        "text/vcard",
        "text/x-vcard",
        "text/calendar",
    }
)
ACCEPTED_FAMILIES = (
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
)
_EXTENSIONS = {"application/ogg": ".ogg", "audio/ogg": ".ogg", "audio/mpeg": ".mp3"}


def accepted_type(content_type: str) -> bool:
    """Whether bytes sniffed as ``content_type`` are kept from a conversation."""
    if content_type in REFUSED:
        return False
    return (
        content_type in ACCEPTED
        or content_type.startswith(ACCEPTED_PREFIXES)
        or content_type.startswith(ACCEPTED_FAMILIES)
    )


@dataclass(frozen=True)
class Fetched:
    """One medium after the download: its stored ``file``, or the ``line`` saying why not."""

    medium: Media
    file: StoredFile | None = None
    line: str = ""


def fetch_event_media(config: AccountConfig, event: InboundMessage) -> list[Fetched]:
    """``fetch_media`` for the media of one customer message."""
    return fetch_media(config, event.media)


def fetch_inbound_media(
    account: ChannelAccount, config: AccountConfig, events: Sequence[object]
) -> dict[str, list[Fetched]]:
    """The media of each customer message in ``events`` (a payload's), by provider id; a
    message already written (the same id delivered again) is not downloaded again. Call it
    outside any transaction, before the payload's."""
    messages = [e for e in events if isinstance(e, InboundMessage) and e.media]
    if not messages:
        return {}
    written = set(
        ChannelMessage.objects.filter(
            account=account,
            direction=ChannelDirection.INBOUND,
            provider_id__in=[event.provider_id.strip() for event in messages],
        ).values_list("provider_id", flat=True)
    )
    return {
        event.provider_id: fetch_event_media(config, event)
        for event in messages
        if event.provider_id.strip() not in written
    }


def fetch_media(config: AccountConfig, media: Sequence[Media]) -> list[Fetched]:
    """Download and store each of ``media`` from ``config``'s provider (see the module)."""
    source = sources.source(config.provider)
    timeout = float(getattr(settings, "ATIENDE_CHANNEL_MEDIA_TIMEOUT", TIMEOUT))
    deadline = time.monotonic() + float(getattr(settings, "ATIENDE_CHANNEL_MEDIA_BUDGET", BUDGET))
    fetched: list[Fetched] = []
    for number, medium in enumerate(media):
        name = display_name(medium)
        if source is None:
            fetched.append(_could_not(medium, _("this channel does not deliver files")))
        elif number >= MAX_MEDIA:
            reason = _("more than %(max)d files in one message") % {"max": MAX_MEDIA}
            fetched.append(_could_not(medium, reason))
        elif (remaining := deadline - time.monotonic()) <= 0:
            fetched.append(_could_not(medium, _("the other files took all the time")))
        else:
            fetched.append(_fetch(config, source, medium, timeout=timeout, total=remaining))
        if fetched[-1].file is None:
            log.info("%s medium %r not kept: %s", config.provider, name, fetched[-1].line)
    return fetched


def _fetch(
    config: AccountConfig,
    source: sources.MediaSource,
    medium: Media,
    *,
    timeout: float,
    total: float,
) -> Fetched:
    limit = int(settings.ATIENDE_MAX_ATTACHMENT_BYTES)
    if medium.size > limit:
        return _too_large(medium, medium.size, limit)
    try:
        lookup = source.lookup(config, medium)
        answer = perform(lookup, timeout=timeout) if lookup is not None else None
        found = source.locate(config, medium, answer)
        if found.size > limit:
            return _too_large(medium, found.size, limit)
        download = downloads.download(
            found.request.url,
            limit=limit,
            headers=found.request.headers,
            allowed=accepted_type,
            timeout=timeout,
            total=total,
        )
        try:
            name = stored_name(medium, found.filename, download.content_type)
            stored = write_file(filename=name, stream=download.file)
        finally:
            download.file.close()
    except MediaTooLarge as refusal:
        return _too_large(medium, refusal.size, min(refusal.limit, limit))
    except MediaUnavailable as refusal:
        return _could_not(medium, refusal.reason)
    except downloads.TooLarge as refusal:
        return _too_large(medium, refusal.size, refusal.limit, more=refusal.more)
    except downloads.NotAllowed as refusal:
        line = _("[Attachment not kept: %(name)s (%(type)s files are not accepted)]") % {
            "name": display_name(medium),
            "type": refusal.content_type,
        }
        return Fetched(medium, line=line)
    except downloads.EmptyFile:
        return _could_not(medium, _("the file is empty"))
    except downloads.Refused as refusal:  # ServerRefused, NotHttp
        return _could_not(medium, _reason(refusal))
    except AtiendeError as error:  # storage's own checks
        return _could_not(medium, str(error.detail))
    except OSError as error:  # TransportError, urllib's errors, TimeoutError
        return _could_not(medium, _reason(error))
    except (http.client.HTTPException, ValueError) as error:  # a cut or garbled answer
        log.warning("%s medium: broken answer: %s", config.provider, type(error).__name__)
        return _could_not(medium, _("the provider's answer was cut short or garbled"))
    return Fetched(medium, file=stored)


def _reason(error: BaseException) -> str:
    """Why a download failed, without its URL (a Telegram URL holds the bot's token)."""
    if isinstance(error, urllib.error.HTTPError | downloads.ServerRefused):
        status = error.code if isinstance(error, urllib.error.HTTPError) else error.status
        return _("the provider answered HTTP %(status)d") % {"status": status}
    if isinstance(error, downloads.CutShort):
        return _("the download was cut short")
    if isinstance(error, downloads.NotHttp):
        return _("the provider gave no web address for the file")
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        return _("the provider did not answer in time")
    return _("the provider could not be reached")


def display_name(medium: Media) -> str:
    """How a line names a medium: its file name, else its type."""
    if medium.filename.strip():
        return medium.filename.strip()
    if medium.content_type:
        return _("a %(type)s file") % {"type": medium.content_type}
    return _("an unnamed file")


def stored_name(medium: Media, provider_name: str, content_type: str) -> str:
    """The attachment's file name: the customer's, the provider's, else one made from the
    type the bytes have ("image.jpg")."""
    name = medium.filename.strip() or provider_name.strip()
    if name:
        return name
    extension = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ""
    family = content_type.split("/", 1)[0]
    stem = family if family in ("image", "audio", "video") else "attachment"
    return stem + extension


def _too_large(medium: Media, size: int, limit: int, *, more: bool = False) -> Fetched:
    values = {"name": display_name(medium), "size": megabytes(size), "limit": megabytes(limit)}
    if not size:
        line = _("[Attachment too large to download: %(name)s (limit %(limit)s)]") % values
    elif more:
        line = (
            _("[Attachment too large to download: %(name)s (more than %(size)s; limit %(limit)s)]")
            % values
        )
    else:
        line = (
            _("[Attachment too large to download: %(name)s (%(size)s; limit %(limit)s)]") % values
        )
    return Fetched(medium, line=line)


def _could_not(medium: Media, reason: str) -> Fetched:
    line = _("[Attachment could not be downloaded: %(name)s (%(reason)s)]") % {
        "name": display_name(medium),
        "reason": reason.rstrip("."),
    }
    return Fetched(medium, line=line)


def message_text(event: InboundMessage, fetched: Sequence[Fetched] = ()) -> str:
    """The message's text and a line for each medium not kept (``fetched`` in the order of
    ``event.media``; one without its ``Fetched`` was not downloaded at all). Kept files need
    no line: the timeline shows them on the message."""
    lines = [event.text.strip()] if event.text.strip() else []
    for number, medium in enumerate(event.media):
        item = fetched[number] if number < len(fetched) else None
        if item is None:
            lines.append(
                _("[Attachment not downloaded: %(name)s]") % {"name": display_name(medium)}
            )
        elif item.file is None:
            lines.append(item.line)
    return "\n".join(lines) or _("(This message has no text.)")


def attach(actor: Actor, *, ticket_id: int, fetched: Sequence[Fetched]) -> list[int]:
    """Record the stored files on ``ticket_id`` (inside the payload's transaction, as the
    channel's actor); their ids, for ``add_channel_message`` or ``attach_to_message``."""
    return [
        attach_file(actor, ticket_id=ticket_id, file=item.file).pk
        for item in fetched
        if item.file is not None
    ]
