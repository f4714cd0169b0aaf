"""Which macros an agent may see and apply."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from atiende.automation.models import Macro
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_staff
from atiende.tickets.visibility import group_ids


def available_macros(actor: Actor, *, q: str = "") -> QuerySet[Macro]:
    """Active macros for the acting agent: shared ones for everyone, shared ones of the agent's
    groups (admins: of any group) and the agent's own; ``q`` matches the name or text. The
    system (rules) sees every shared macro."""
    require_staff(actor)
    macros = Macro.objects.filter(is_active=True)
    user = actor.user
    if user is None:
        macros = macros.filter(owner__isnull=True)
    else:
        shared = Q(owner__isnull=True)
        if not user.is_admin:
            shared &= Q(group__isnull=True) | Q(group_id__in=group_ids(user))
        macros = macros.filter(shared | Q(owner=user))
    if q.strip():
        macros = macros.filter(Q(name__icontains=q.strip()) | Q(body__icontains=q.strip()))
    return macros.order_by("name", "id")


def get_macro(actor: Actor, macro_id: int) -> Macro:
    """One macro the agent may apply; others look missing."""
    macro = available_macros(actor).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("Macro not found."))
    return macro
