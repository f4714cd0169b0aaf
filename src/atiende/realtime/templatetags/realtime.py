"""What realtime.js needs from the rendered page.

``{% live_position %}``: the live event log's position when the page was rendered; realtime.js
says hello with it on its first connection, so events that happen between the render and the
socket opening are replayed rather than lost. ``{% live_port %}``: the port of the live socket's
server when it is not the page's own (``atiende.serving``), else ``None``.
"""

from __future__ import annotations

from django import template
from django.conf import settings

from atiende.realtime.log import latest_id

register = template.Library()


@register.simple_tag
def live_position() -> int:
    return latest_id()


@register.simple_tag
def live_port() -> int | None:
    port: int | None = settings.ATIENDE_LIVE_PORT
    return port
