"""A call's recording attached to its call log entry, downloaded after the commit.

The payload's transaction only promises the download (an outbox effect, once per call: when
the call has both a recording URL and its log entry, whichever came first). The handler runs
outside any transaction (it waits on the network): it downloads (``recording_fetch``), stores
the file as the ticket services store uploads, and attaches it to the call's log entry, where
the timeline plays it. A recording that cannot be attached (larger than the limit, not audio,
refused by its server) leaves a second note on the ticket saying why and where the recording
still is: the call's ``recording_url`` is kept, nothing is lost. Network failures are retried
by the outbox with its backoff, then listed among its failed effects.

Twilio: the ``RecordingUrl`` it gives is fetched as MP3 (``.mp3`` appended, as Twilio
documents; WAV otherwise, ten times larger) with the account's SID and auth token as HTTP
Basic credentials, which Twilio requires when "HTTP Basic Authentication for media" is on. The
credentials go only to the account's Twilio API host, never to another URL.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError
from atiende.messaging.channels import registry
from atiende.messaging.channels.services.recording_fetch import (
    RecordingRefused,
    fetch,
    split_credentials,
)
from atiende.messaging.models import Call
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets import services as tickets
from atiende.tickets.models import Channel
from atiende.tickets.services.attachments import attach_file, write_file
from atiende.tickets.services.intake import attach_to_message

log = logging.getLogger(__name__)

RECORDING = "channels.call_recording"
MAX_RECORDING_BYTES = 100 * 1024 * 1024


def recording_limit() -> int:
    """The largest recording kept: ``ATIENDE_MAX_RECORDING_BYTES`` (100 MiB), and never more
    than an attachment may be (``ATIENDE_MAX_ATTACHMENT_BYTES``)."""
    own = int(getattr(settings, "ATIENDE_MAX_RECORDING_BYTES", MAX_RECORDING_BYTES))
    return min(own, int(settings.ATIENDE_MAX_ATTACHMENT_BYTES))


def request_download(call: Call) -> bool:
    """Promise the download once the call has both its recording URL and its log entry
    (inside the payload's transaction; ``call`` locked by it)."""
    if not call.recording_url or call.message_id is None or call.recording_id is not None:
        return False
    if call.recording_note:
        return False
    try:
        with transaction.atomic():  # promised before (a step replayed by hand): once is enough
            enqueue(RECORDING, payload={"call_id": call.pk}, key=f"{RECORDING}:{call.pk}")
    except IntegrityError:
        return False
    return True


def _actor(call: Call) -> Actor:
    detail = f"{call.account.provider}:{call.account_id}" if call.account else "phone"
    return Actor(user=None, source=Source.CHANNEL, detail=detail)


def source_of(call: Call) -> tuple[str, tuple[str, str] | None]:
    """The URL to download and the credentials to send with it."""
    url, credentials = split_credentials(call.recording_url)
    account = call.account
    if account is None or account.provider != "twilio_voice":
        return url, credentials
    config = registry.config_for(account)
    parts = urlsplit(url)
    if not parts.path.rsplit("/", 1)[-1].count("."):
        url = parts._replace(path=parts.path + ".mp3").geturl()
    api_host = urlsplit(config.api_base).netloc
    sid, token = config.settings.get("account_sid", ""), config.secrets.get("auth_token", "")
    if sid and token and urlsplit(url).netloc == api_host:
        credentials = (sid, token)
    return url, credentials


@handles(RECORDING, atomic=False)
def download_recording(delivery: Delivery) -> None:
    """Download and attach the recording of the call ``payload["call_id"]`` (see the module);
    a second run finds it attached (or refused) and does nothing."""
    call = Call.objects.select_related("account").filter(pk=delivery.payload["call_id"]).first()
    if call is None or call.recording_id is not None or call.recording_note:
        return
    if call.message_id is None or call.ticket_id is None:
        return
    url, credentials = source_of(call)
    filename = f"call-{call.provider_call_id or call.pk}"
    try:
        download = fetch(url, limit=recording_limit(), credentials=credentials)
        try:
            extension = _EXTENSIONS.get(download.content_type, "")
            stored = write_file(filename=filename + extension, stream=download.file)
        finally:
            download.file.close()
    except RecordingRefused as refusal:
        _refuse(call, str(refusal))
        return
    except AtiendeError as error:  # the attachment limit, an empty file
        _refuse(call, str(error.detail))
        return
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.recording_id is not None or locked.message_id is None:
            return
        if locked.ticket_id is None:  # the ticket was deleted meanwhile
            return
        actor = _actor(call)
        attachment = attach_file(actor, ticket_id=locked.ticket_id, file=stored)
        attach_to_message(actor, message_id=locked.message_id, attachment_ids=[attachment.pk])
        locked.recording = attachment
        locked.save(update_fields=["recording", "updated_at"])


_EXTENSIONS = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "audio/vnd.wave": ".wav",
    "audio/ogg": ".ogg",
    "audio/opus": ".opus",
    "audio/webm": ".webm",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
}


def _refuse(call: Call, reason: str) -> None:
    """Say on the ticket why the recording is not attached, and where it still is."""
    log.warning("call %s: recording not attached: %s", call.pk, reason)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.recording_id is not None or locked.recording_note:
            return
        locked.recording_note = reason
        locked.save(update_fields=["recording_note", "updated_at"])
        if locked.ticket_id is None:
            return
        body = _("The call's recording was not attached: %(reason)s\nIt is still at: %(url)s") % {
            "reason": reason,
            "url": split_credentials(locked.recording_url)[0],
        }
        tickets.add_message(
            _actor(call),
            ticket_id=locked.ticket_id,
            body=body,
            public=False,
            channel=Channel.PHONE,
        )
