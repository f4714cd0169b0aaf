"""``{% max_attachment_bytes %}``: the upload limit, for the composer's own checks before an
upload (the server checks it again: ``tickets.services.attachments``)."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def max_attachment_bytes() -> int:
    return int(settings.ATIENDE_MAX_ATTACHMENT_BYTES)
