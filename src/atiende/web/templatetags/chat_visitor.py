"""The chat visitor's panel on a chat ticket's page: where they are, where from, which browser.

Only a ticket whose channel is ``chat`` is looked up (one query); other tickets cost nothing.
"""

from __future__ import annotations

import re
from typing import Any

from django import template

from atiende.messaging.chat.selectors import session_of_ticket
from atiende.tickets.models import Channel, Ticket

register = template.Library()

BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"OPR/(\d+)"),
    ("Firefox", r"Firefox/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+).*Safari/"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iOS", "iPhone"),
    ("iOS", "iPad"),
    ("Windows", "Windows"),
    ("macOS", "Mac OS X"),
    ("Linux", "Linux"),
)


def browser_of(user_agent: str) -> str:
    """A user agent as a person reads it (e.g. Chrome 130 · Linux); else the raw string."""
    name = next(
        (
            f"{label} {found.group(1)}"
            for label, rx in BROWSERS
            if (found := re.search(rx, user_agent))
        ),
        "",
    )
    system = next((label for label, marker in SYSTEMS if marker in user_agent), "")
    if name and system:
        return f"{name} · {system}"
    return name or system or user_agent[:120]


def web_link(url: str) -> str:
    """The URL when it is an http(s) one (the visitor's page sends it: never a javascript:)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


@register.inclusion_tag("web/chat/_ticket_panel.html")
def chat_visitor(ticket: Ticket) -> dict[str, Any]:
    if ticket.channel != Channel.CHAT:
        return {"chat": None}
    chat = session_of_ticket(ticket.pk)
    if chat is None:
        return {"chat": None}
    return {
        "chat": chat,
        "ticket_id": ticket.pk,
        "page_link": web_link(chat.page_url),
        "referrer_link": web_link(chat.referrer),
        "browser": browser_of(chat.user_agent),
    }
