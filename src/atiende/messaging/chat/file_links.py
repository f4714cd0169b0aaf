"""Signed links to a chat's files for its visitor: an agent's attachment on a public reply, or
the visitor's own upload once sent, downloaded from ``/chat/files/<token>/<name>``.

The visitor has no account, so the link itself is the permission, scoped to one chat: the
token is ``django.core.signing`` of the chat's id, the attachment's id and the first bytes of
its content hash, with a salt of its own (``messaging.channels.file_links`` signs the
providers' links the same way). It is valid for ``FILE_LINK_SECONDS`` (``ATIENDE_CHAT``; a day
by default) from when the transcript was read; a reconnection reads it again, with fresh links.

Anything wrong — a changed, cut or expired token, a chat whose ticket is not the file's (another
chat's file, or a chat moved on to a follow-up ticket), an inactive widget, a file of an
internal note (never listed, and never served whatever was signed), a file deleted since, a
name that is not the file's — is ``NotFound``, and the view answers a bare 404.

Served like the providers' links (``channels.file_links.served_type``: the stored, sniffed type
only when on the allow-list), ``nosniff``, a sandboxing CSP; as a download unless it is one of
``INLINE_TYPES`` (raster images, shown in the browser's own viewer).
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from atiende.core.errors import NotFound
from atiende.messaging.chat import config
from atiende.messaging.models import ChatSession
from atiende.tickets.models import Attachment
from atiende.tickets.selectors import public_attachment

SALT = "atiende.messaging.chat.file_link"
URL_NAME = "chat-file"
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def sign(session_id: int, attachment: Attachment) -> str:
    """The token naming ``attachment`` for the visitor of chat ``session_id``."""
    claim = {"s": session_id, "a": attachment.pk, "h": attachment.sha256[:16]}
    return signing.dumps(claim, salt=SALT)


def link(session_id: int, attachment: Attachment) -> str:
    """The link's path on this help desk; the widget resolves it against the address its
    script came from (the address its socket and uploads use too)."""
    return reverse(URL_NAME, args=[sign(session_id, attachment), attachment.filename])


def attachment_of(token: str, filename: str, *, max_age: int | None = None) -> Attachment:
    """The attachment ``token`` was signed for, while valid, on its chat's ticket, of a public
    message and named ``filename``; ``NotFound`` for anything else."""
    seconds = int(config.value("FILE_LINK_SECONDS")) if max_age is None else max_age
    try:
        claim = signing.loads(token, salt=SALT, max_age=seconds)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise NotFound() from error
    if not isinstance(claim, dict):
        raise NotFound()
    session_id, attachment_id, digest = claim.get("s"), claim.get("a"), claim.get("h")
    if not (
        isinstance(session_id, int) and isinstance(attachment_id, int) and isinstance(digest, str)
    ):
        raise NotFound()
    ticket_id = (
        ChatSession.objects.filter(pk=session_id, widget__active=True)
        .values_list("ticket_id", flat=True)
        .first()
    )
    attachment = public_attachment(attachment_id)
    if (
        ticket_id is None
        or attachment is None
        or attachment.ticket_id != ticket_id
        or attachment.sha256[:16] != digest
        or attachment.filename != filename
    ):
        raise NotFound()
    return attachment
