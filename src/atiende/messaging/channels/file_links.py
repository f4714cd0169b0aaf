"""Signed, expiring public links to one attachment of a reply: how a provider that fetches
media by URL (Twilio's ``MediaUrl``, Messenger's ``attachment.payload.url``) gets our file.

A provider cannot sign in, so the link itself is the permission: ``/files/<token>/<name>``,
where the token is ``django.core.signing`` of the attachment's id and content hash with a
salt of its own, valid for ``MAX_AGE`` seconds from when the send was prepared. A changed,
cut or expired token, a token for another file or a name that is not the file's: ``NotFound``
(the view answers 404 and tells nothing more). Only files of a public reply are ever served,
whatever was signed. The link is absolute, on ``ATIENDE_SITE_URL`` — the address providers
reach this help desk at.

Served as the other downloads are (``served_type``): always ``Content-Disposition:
attachment``, ``nosniff``, a sandboxing CSP, and the stored (sniffed) type only when it is one
of ``SERVED_TYPES``; anything else goes as ``application/octet-stream``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from atiende.core.errors import NotFound
from atiende.tickets.models import Attachment
from atiende.tickets.selectors import public_attachment

SALT = "atiende.messaging.channels.file_link"
MAX_AGE = 3600  # seconds: providers fetch at once; Twilio within minutes of the send
URL_NAME = "channel-file"
# Types a messaging app shows as what they are (images, audio, video, PDF, office files,
# plain text); a stored type outside this list is served as an opaque download.
SERVED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "audio/ogg",
        "video/mp4",
        "video/3gpp",
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    }
)
FALLBACK_TYPE = "application/octet-stream"


def sign(attachment: Attachment) -> str:
    """The token naming ``attachment`` (its id and the first bytes of its hash)."""
    return signing.dumps({"a": attachment.pk, "h": attachment.sha256[:16]}, salt=SALT)


def public_url(attachment: Attachment) -> str:
    """The absolute, signed link a provider fetches ``attachment`` from."""
    path = reverse(URL_NAME, args=[sign(attachment), attachment.filename])  # reverse quotes
    return f"{site_url()}{path}"


def site_url() -> str:
    return str(getattr(settings, "ATIENDE_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def attachment_of(token: str, filename: str, *, max_age: int = MAX_AGE) -> Attachment:
    """The attachment ``token`` was signed for, if still valid and named ``filename``;
    ``NotFound`` for anything else (forged, expired, another file, a note's file)."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise NotFound() from error
    if not isinstance(claim, dict):
        raise NotFound()
    attachment_id, digest = claim.get("a"), claim.get("h")
    if not isinstance(attachment_id, int) or not isinstance(digest, str):
        raise NotFound()
    attachment = public_attachment(attachment_id)
    if attachment is None or attachment.sha256[:16] != digest or attachment.filename != filename:
        raise NotFound()
    return attachment


def served_type(attachment: Attachment) -> str:
    """The ``Content-Type`` the file is served with: its own when on the allow-list."""
    kind = (attachment.content_type or "").split(";")[0].strip().lower()
    return kind if kind in SERVED_TYPES else FALLBACK_TYPE
