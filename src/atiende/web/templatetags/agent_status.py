"""``{% status_menu %}``: the agent's status switch in the workspace header.

The status shown comes from the session (written when the switch or its first load reads it),
so drawing the header costs no query; a session without it asks once, by htmx, on load.
"""

from __future__ import annotations

from typing import Any

from django import template

from atiende.web.account import availability

register = template.Library()


@register.inclusion_tag("web/account/_status_menu.html", takes_context=True)
def status_menu(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not getattr(user, "is_agent", False):
        return {"show": False}
    # A page drawn without the session (an error page built by hand) asks by htmx instead.
    session = getattr(request, "session", None)
    status = str(session.get(availability.SESSION_KEY, "")) if session is not None else ""
    return {
        "show": True,
        **availability.menu_context(status),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
