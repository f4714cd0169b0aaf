"""Storing uploaded files safely: size-limited, hashed, type sniffed from the bytes."""

from __future__ import annotations

import hashlib
import tempfile
import unicodedata
from dataclasses import dataclass
from typing import Protocol

import puremagic
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid, PayloadTooLarge
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.locks import lock_visible_ticket
from atiende.tickets.models import Attachment
from atiende.tickets.models.ticket import attachment_path
from atiende.tickets.selectors import visible_tickets

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


@dataclass(frozen=True)
class StoredFile:
    """A file already in storage (content-addressed), not yet attached to a ticket."""

    path: str
    filename: str
    content_type: str
    size: int
    sha256: str


def write_file(*, filename: str, stream: Readable) -> StoredFile:
    """Spool, hash, sniff and write an upload to storage; no database, no lock.

    Called before the ticket's lock is taken (and, for email intake, before the intake's
    transaction): a slow disk or object store never holds a ticket or SQLite's write lock. The
    file is copied to a temporary file while hashing, so a too-large upload is refused before
    anything reaches storage. The path is the content's hash: the same bytes are stored once.
    """
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
        sha256 = digest.hexdigest()
        path = attachment_path(Attachment(sha256=sha256), "")
        if not default_storage.exists(path):
            saved = default_storage.save(path, File(spool))
            if saved != path:  # written meanwhile by another upload of the same bytes
                default_storage.delete(saved)
    return StoredFile(
        path=path,
        filename=safe_filename(filename),
        content_type=sniff_content_type(head),
        size=size,
        sha256=sha256,
    )


@transaction.atomic
def attach_file(actor: Actor, *, ticket_id: int, file: StoredFile) -> Attachment:
    """Record a stored file for ``ticket_id``; a message claims it later by id."""
    ticket = lock_visible_ticket(actor, ticket_id)
    attachment = Attachment(
        ticket=ticket,
        uploaded_by_id=actor.user_id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
    )
    attachment.file.name = file.path
    attachment.save()
    return attachment


def store_attachment(
    actor: Actor, *, ticket_id: int, filename: str, stream: Readable
) -> Attachment:
    """Save an upload for ``ticket_id``: checked, written to storage, then recorded.

    The ticket is looked up first without a lock (nothing reaches storage for a ticket the
    actor cannot see), the file is written, and only then is the ticket locked to record it.
    """
    if not visible_tickets(actor).filter(pk=ticket_id).exists():
        raise TicketNotFound()
    stored = write_file(filename=filename, stream=stream)
    return attach_file(actor, ticket_id=ticket_id, file=stored)
