"""Canned responses an agent may use, and their placeholders filled in for one ticket.

Placeholders are replaced by one regular-expression pass over the response's text: the text is
never a Django template (no tags, filters or attribute look-ups run), values are inserted
verbatim and never re-scanned, and unknown placeholders stay as typed.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.errors import NotFound
from atiende.core.permissions import require_staff
from atiende.tickets.models import CannedResponse, Ticket
from atiende.tickets.visibility import group_ids

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
PLACEHOLDERS = (
    "ticket.number",
    "ticket.subject",
    "customer.name",
    "customer.first_name",
    "customer.email",
    "agent.name",
    "agent.first_name",
)


def available_responses(actor: Actor, *, q: str = "") -> QuerySet[CannedResponse]:
    """Active responses for the acting agent: shared ones for everyone, shared ones of the
    agent's groups (admins: of any group) and the agent's own; ``q`` matches the name or text."""
    require_staff(actor)
    responses = CannedResponse.objects.filter(is_active=True)
    user = actor.user
    if user is not None:
        shared = Q(owner__isnull=True)
        if not user.is_admin:
            shared &= Q(group__isnull=True) | Q(group_id__in=group_ids(user))
        responses = responses.filter(shared | Q(owner=user))
    if q.strip():
        responses = responses.filter(Q(name__icontains=q.strip()) | Q(body__icontains=q.strip()))
    return responses.order_by("name", "id")


def get_response(actor: Actor, response_id: int) -> CannedResponse:
    """One response the agent may use; others look missing."""
    response = available_responses(actor).filter(pk=response_id).first()
    if response is None:
        raise NotFound(_("Canned response not found."))
    return response


def placeholder_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    customer = ticket.requester
    return {
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "customer.name": customer.display_name,
        "customer.first_name": customer.first_name,
        "customer.email": customer.email or "",
        "agent.name": agent.display_name if agent is not None else "",
        "agent.first_name": agent.first_name if agent is not None else "",
    }


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{{ name }}`` replaced by its value, in one pass."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)


def render_response(response: CannedResponse, *, ticket: Ticket, agent: User | None) -> str:
    """The response's text for this ticket and agent."""
    return render_placeholders(response.body, placeholder_values(ticket, agent))
