"""Reads of an agent's availability settings and out-of-office periods, as the agent or an
administrator sees them (assignment reads them through ``accounts.selectors``)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from atiende.accounts.models import AgentAvailability, OutOfOffice, User
from atiende.core.actor import Actor
from atiende.core.errors import Forbidden, NotFound
from atiende.core.pagination import Page, SortKey, paginate

BY_START = SortKey("starts_at", False, datetime.datetime)


def require_self_or_admin(actor: Actor, user_id: int) -> User:
    """The agent ``user_id``, read by themselves or an administrator; others are refused."""
    user = actor.user
    allowed = user is None or (
        user.is_active and user.is_agent and (user.is_admin or user.pk == user_id)
    )
    if not allowed:
        raise Forbidden(_("Only the agent or an administrator can see this."))
    agent = User.objects.filter(pk=user_id, is_active=True).first()
    if agent is None or not agent.is_agent:
        raise NotFound(_("Agent not found."))
    return agent


def availability_of(actor: Actor, user_id: int) -> AgentAvailability:
    """The agent's settings; an agent never seen has the defaults (an unsaved row)."""
    require_self_or_admin(actor, user_id)
    found = AgentAvailability.objects.filter(user_id=user_id).first()
    return found if found is not None else AgentAvailability(user_id=user_id)


def list_out_of_office(
    actor: Actor, user_id: int, *, limit: int, cursor: str | None
) -> Page[OutOfOffice]:
    """The agent's periods from the earliest start."""
    require_self_or_admin(actor, user_id)
    periods = OutOfOffice.objects.filter(user_id=user_id)
    return paginate(periods, BY_START, limit=limit, cursor=cursor)


def get_out_of_office(actor: Actor, user_id: int, period_id: int) -> OutOfOffice:
    require_self_or_admin(actor, user_id)
    period = OutOfOffice.objects.filter(user_id=user_id, pk=period_id).first()
    if period is None:
        raise NotFound(_("Out-of-office period not found."))
    return period
