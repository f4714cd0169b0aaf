"""Who an ``email`` or ``notify`` action means: "assignee", "group", "supervisor", "user:<id>"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from atiende.accounts.models import Role, User
from atiende.core.errors import Invalid
from atiende.tickets.models import Ticket


def user_id_of(target: str) -> int | None:
    """The id in ``user:<id>``, or None."""
    kind, _colon, rest = target.partition(":")
    return int(rest) if kind == "user" and rest.isdecimal() else None


def check_target(params: Mapping[str, Any], allowed: tuple[str, ...]) -> str:
    """The action's ``to``, refused (naming ``to``) when it is none of ``allowed`` nor the
    ``user:<id>`` of an active agent."""
    to = params.get("to")
    if isinstance(to, str) and to in allowed:
        return to
    user_id = user_id_of(to) if isinstance(to, str) else None
    if isinstance(to, str) and user_id is not None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None and user.is_agent:
            return to
        raise Invalid.field("to", _("User %(id)s is not an active agent.") % {"id": user_id})
    raise Invalid.field(
        "to",
        _("Send to one of: %(choices)s, or user:<id>.") % {"choices": ", ".join(allowed)},
    )


def staff_for(ticket: Ticket, to: str) -> list[User]:
    """The active staff ``to`` names on ``ticket`` (nobody when it names no one now)."""
    agents = User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.ADMIN))
    if to == "assignee":
        return list(agents.filter(pk=ticket.assignee_id)) if ticket.assignee_id else []
    if to == "group":
        if ticket.group_id is None:
            return []
        return list(agents.filter(groups=ticket.group_id).order_by("pk"))
    if to == "supervisor":
        admins = agents.filter(role=Role.ADMIN).order_by("pk")
        in_group = admins.filter(groups=ticket.group_id) if ticket.group_id else admins.none()
        return list(in_group) or list(admins)
    user_id = user_id_of(to)
    return list(agents.filter(pk=user_id)) if user_id is not None else []
