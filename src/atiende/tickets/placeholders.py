"""Placeholders such as ``{{ ticket.number }}`` filled in for one ticket (macros, customer
notification texts).

Placeholders are replaced by one regular-expression pass over the text: the text is never a
Django template (no tags, filters or attribute look-ups run), values are inserted verbatim and
never re-scanned, and unknown placeholders stay as typed (savers refuse them beforehand).
Each placeholder also has a Spanish name (``{{ cliente.nombre }}``), for Spanish-speaking
teams writing their macros in Spanish.
"""

from __future__ import annotations

import re

from atiende.accounts.models import User
from atiende.tickets.models import Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([^\W\d]\w*\.[^\W\d]\w*)\s*\}\}")
# Anything that looks like a placeholder, so that savers can refuse a typo.
ANY_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
PLACEHOLDERS = (
    "ticket.number",
    "ticket.subject",
    "customer.name",
    "customer.first_name",
    "customer.email",
    "agent.name",
    "agent.first_name",
)
SPANISH = {
    "ticket.número": "ticket.number",
    "ticket.asunto": "ticket.subject",
    "cliente.nombre": "customer.name",
    "cliente.nombre_de_pila": "customer.first_name",
    "cliente.correo": "customer.email",
    "agente.nombre": "agent.name",
    "agente.nombre_de_pila": "agent.first_name",
}


def placeholder_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    """Every placeholder's value for this ticket and agent, under its English and Spanish name."""
    customer = ticket.requester
    values = {
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "customer.name": customer.display_name,
        "customer.first_name": customer.first_name,
        "customer.email": customer.email or "",
        "agent.name": agent.display_name if agent is not None else "",
        "agent.first_name": agent.first_name if agent is not None else "",
    }
    values.update({spanish: values[english] for spanish, english in SPANISH.items()})
    return values


def unknown_placeholders(text: str, known: tuple[str, ...]) -> list[str]:
    """The placeholder-like names in ``text`` that are not in ``known``, in order, once each."""
    found: list[str] = []
    for match in ANY_PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name not in known and name not in found:
            found.append(name)
    return found


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{{ name }}`` replaced by its value, in one pass."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else value

    return PLACEHOLDER.sub(replace, text)
