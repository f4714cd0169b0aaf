"""Who may call what, by role: the one ``require_staff`` and ``require_admin`` of every app.

The system itself (``actor.user is None``: the CLI, tasks, rules) passes both. Which tickets a
staff member may touch is a different question, answered by ``tickets.visibility``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Forbidden


def is_staff(actor: Actor) -> bool:
    """Active agents and admins, and the system itself."""
    return actor.user is None or (actor.user.is_active and actor.user.is_agent)


def require_staff(actor: Actor) -> None:
    if not is_staff(actor):
        raise Forbidden(_("Only agents can do this."))


def is_admin(actor: Actor) -> bool:
    """Active admins, and the system itself."""
    return actor.user is None or (actor.user.is_active and actor.user.is_admin)


def require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise Forbidden(_("Only administrators can do this."))
