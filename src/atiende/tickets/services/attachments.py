"""Storing uploaded files safely: size-limited, hashed, type sniffed from the bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from typing import Protocol

import puremagic
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, PayloadTooLarge
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Attachment
from atiende.tickets.models.ticket import attachment_path

CHUNK = 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


SNIFF_BYTES = 8192


def safe_filename(name: str) -> str:
    """A display name with no directory parts or control characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name or "attachment"


def sniff_content_type(head: bytes) -> str:
    """The type the bytes say they are; never what the uploader claimed."""
    if head:
        try:
            matches = puremagic.magic_string(head)
        except (puremagic.PureError, ValueError):
            matches = []
        for match in matches:
            if match.mime_type:
                return str(match.mime_type)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return "text/plain"
    return "application/octet-stream"


@transaction.atomic
def store_attachment(
    actor: Actor, *, ticket_id: int, filename: str, stream: Readable
) -> Attachment:
    """Save an upload for ``ticket_id``; a message claims it later by id.

    The file is copied to a temporary file while hashing, so a too-large upload is refused
    before anything reaches storage.
    """
    ticket = lock_visible_ticket(actor, ticket_id)
    limit = settings.ATIENDE_MAX_ATTACHMENT_BYTES
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.TemporaryFile() as spool:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(
                    _("The file is larger than the limit of %(limit)d bytes.") % {"limit": limit},
                    errors=[],
                )
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise Invalid.field("file", _("The file is empty."))
        spool.seek(0)
        attachment = Attachment(
            ticket=ticket,
            uploaded_by_id=actor.user_id,
            filename=safe_filename(filename),
            content_type=sniff_content_type(head),
            size=size,
            sha256=digest.hexdigest(),
        )
        path = attachment_path(attachment, attachment.filename)
        if default_storage.exists(path):
            attachment.file.name = path
        else:
            attachment.file.save(os.path.basename(path), File(spool), save=False)
    attachment.save()
    return attachment
