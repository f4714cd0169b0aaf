"""``{% live_position %}``: the live event log's position when the page was rendered.

realtime.js says hello with it on its first connection, so events that happen between the
render and the socket opening are replayed rather than lost.
"""

from __future__ import annotations

from django import template

from atiende.realtime.log import latest_id

register = template.Library()


@register.simple_tag
def live_position() -> int:
    return latest_id()
