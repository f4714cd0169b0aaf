"""Merging and linking from the ticket page: finding the other ticket and saying what will happen.

The other ticket is found by number (``123`` or ``#123``) or by words of its subject, only
among the tickets the agent can see (``visible_tickets``); a merged ticket is no candidate.
The change itself is ``tickets.services.merge_tickets`` or ``link_tickets``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.actor import Actor
from atiende.tickets.models import LinkKind, Ticket
from atiende.tickets.selectors import visible_tickets

CANDIDATES = 8
MAX_QUERY = 100
# What the agent may do with the other ticket: merge this one into it, or link them.
ACTIONS: dict[str, object] = {
    "merge": gettext_lazy("Merge this ticket into it"),
    LinkKind.RELATED.value: gettext_lazy("Link: related to"),
    LinkKind.DUPLICATE.value: gettext_lazy("Link: this one is a duplicate of it"),
    LinkKind.PARENT.value: gettext_lazy("Link: this one is the parent of it"),
}


def candidates(actor: Actor, ticket: Ticket, q: str) -> list[Ticket]:
    """Tickets the agent can see, other than ``ticket`` and not merged away, whose number is
    ``q`` or whose subject contains every word of it; newest activity first."""
    text = q.strip()[:MAX_QUERY]
    if not text:
        return []
    found = visible_tickets(actor).exclude(pk=ticket.pk).filter(merged_into__isnull=True)
    number = text.removeprefix("#").strip()
    if number.isdecimal() and len(number) < 19:
        found = found.filter(number=int(number))
    else:
        for word in text.split()[:8]:
            found = found.filter(subject__icontains=word)
    return list(found.select_related("status").order_by("-updated_at", "-pk")[:CANDIDATES])


def other_ticket(actor: Actor, ticket: Ticket, other_id: int) -> Ticket | None:
    """The ticket picked, if the agent can see it and it is not ``ticket`` itself."""
    if other_id == ticket.pk:
        return None
    return visible_tickets(actor).filter(pk=other_id).first()


@dataclass(frozen=True)
class Question:
    action: str
    text: str
    consequence: str


def question(ticket: Ticket, other: Ticket, action: str) -> Question:
    """What the agent is asked before the change."""
    names = {
        "this": ticket.number,
        "this_subject": ticket.subject,
        "other": other.number,
        "other_subject": other.subject,
    }
    if action == "merge":
        return Question(
            action,
            _("Merge #%(this)d “%(this_subject)s” into #%(other)d “%(other_subject)s”?") % names,
            _(
                "Its messages and followers move to #%(other)d and #%(this)d is closed. "
                "A merge cannot be undone."
            )
            % names,
        )
    kind = LinkKind(action).label
    return Question(
        action,
        _("Link #%(this)d “%(kind)s” #%(other)d “%(other_subject)s”?") % {**names, "kind": kind},
        _("Both tickets show the link and its history records it."),
    )
