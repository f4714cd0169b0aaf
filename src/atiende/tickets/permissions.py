"""Who may do what to tickets, beyond what the scoping function already hides."""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Forbidden


def is_staff(actor: Actor) -> bool:
    """Agents, admins and the system itself."""
    return actor.user is None or (actor.user.is_active and actor.user.is_agent)


def require_staff(actor: Actor) -> None:
    if not is_staff(actor):
        raise Forbidden(_("Only agents can do this."))
