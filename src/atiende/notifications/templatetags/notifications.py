"""``{% unread_notifications as n %}``: the bell's number on every workspace page."""

from __future__ import annotations

from typing import Any

from django import template

from atiende.accounts.models import User
from atiende.notifications.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """One indexed count for the signed-in staff member; 0 for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_agent:
        return 0
    return unread_count(user)
