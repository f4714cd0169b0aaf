"""Images and files of an article: size-capped, type sniffed from the bytes, name never a path.

A file is stored under a name we choose (``kb/<article>/<hash>``); the uploaded name is kept
only to show. The help center serves it at ``/help/files/<id>/`` to whoever may read the
article; the editor inserts that address into the Markdown.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import FieldError, Invalid, NotFound, PayloadTooLarge
from atiende.core.permissions import require_staff
from atiende.kb.models import Article, ArticleAttachment
from atiende.tickets.services.attachments import Readable, safe_filename, sniff_content_type

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MARKDOWN_UNSAFE = str.maketrans(dict.fromkeys("[]()<>!`*\\\n\r", "_"))


def max_bytes() -> int:
    return int(getattr(settings, "ATIENDE_KB_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def file_url(attachment_id: int) -> str:
    """Where the help center serves the file (its ``help-file`` view)."""
    return f"/help/files/{attachment_id}/"


def markdown_for(attachment: ArticleAttachment) -> str:
    """What the editor inserts: an image for pictures, a link for any other file."""
    label = attachment.filename.translate(MARKDOWN_UNSAFE)
    url = file_url(attachment.pk)
    if attachment.content_type.startswith("image/") and attachment.content_type != "image/svg+xml":
        return f"![{label}]({url})"
    return f"[{label}]({url})"


def upload_attachment(
    actor: Actor, *, article_id: int, filename: str, stream: Readable
) -> ArticleAttachment:
    """Store one file for an article (staff). Too big is a 413, empty a 422, both naming
    ``file``; the stored type is what the bytes are, never what the uploader said."""
    require_staff(actor)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        message = _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
        raise PayloadTooLarge(message, errors=[FieldError("file", message)])
    if not data:
        raise Invalid.field("file", _("The file is empty."))
    name = safe_filename(filename)
    content_type = sniff_content_type(data[:8192])
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        if not Article.objects.filter(pk=article_id).exists():
            raise NotFound(_("No such article."))
        attachment = ArticleAttachment(
            article_id=article_id,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=actor.user,
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        return attachment


def delete_attachment(actor: Actor, *, attachment_id: int) -> None:
    require_staff(actor)
    with transaction.atomic():
        attachment = ArticleAttachment.objects.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound(_("No such file."))
        attachment.delete()
