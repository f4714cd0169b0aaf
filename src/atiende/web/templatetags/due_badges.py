"""``{% due_texts %}``: the due badges' words for ``due.js``, as a JSON script element."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from atiende.web import due

register = template.Library()


@register.simple_tag
def due_texts() -> SafeString:
    return json_script(due.texts(), "due-texts")
