"""The ``format`` of a message body sent through the API, turned into the stored text and HTML.

One renderer for every entry point: Markdown goes through `atiende.core.markdown`, as the
composer's does; HTML is cleaned by the ticket services like any stored message.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext as _

from atiende.core import markdown
from atiende.core.errors import Invalid

BodyFormat = Literal["text", "markdown", "html"]


def bodies(body_format: BodyFormat, body: str, body_html: str) -> tuple[str, str]:
    """``(body, body_html)`` for the services: ``text`` as given (``body_html`` optional),
    ``markdown`` rendered, ``html`` as the HTML (its text derived on save)."""
    if body_format == "text":
        return body, body_html
    if body_html:
        raise Invalid.field(
            "body_html",
            _("Send body_html only with format “text”; with “%(format)s” the body is rendered.")
            % {"format": body_format},
        )
    if body_format == "html":
        return "", body
    rendered = markdown.render(body)
    return rendered.text, rendered.html
