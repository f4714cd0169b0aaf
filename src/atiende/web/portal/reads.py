"""The portal's reads, every one started at the gate (``tickets.selectors``).

The list is the customer's visible tickets (their own and, where the organization shares and
their address is verified, their organization's: exactly ``visible_tickets``), filtered by
whose and by open/closed, newest activity first, in keyset pages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from atiende.accounts.models import User
from atiende.core.actor import Actor
from atiende.core.html import display_html, text_to_html
from atiende.core.pagination import SortKey, paginate
from atiende.tickets import config_cache
from atiende.tickets.models import Attachment, Message, Ticket
from atiende.tickets.selectors import visible_messages, visible_tickets
from atiende.web.portal.words import FINISHED

PAGE_SIZE = 25
BY_ACTIVITY = SortKey("updated_at", True, datetime.datetime)
WHOSE = ("mine", "organization")
STATES = ("open", "closed", "all")


@dataclass(frozen=True)
class Filters:
    whose: str = "mine"
    state: str = "all"

    @classmethod
    def parse(cls, whose: str | None, state: str | None) -> Filters:
        return cls(
            whose=whose if whose in WHOSE else "mine",
            state=state if state in STATES else "all",
        )


def shares_organization(actor: Actor) -> bool:
    """Whether the gate shows this customer any ticket that is not their own."""
    assert actor.user is not None
    return visible_tickets(actor).exclude(requester_id=actor.user.pk).exists()


@dataclass(frozen=True)
class Requests:
    """A page of requests, the next page's cursor, and the names of their other requesters."""

    items: list[Ticket]
    next_cursor: str | None
    names: dict[int, str]


def my_requests(
    actor: Actor, filters: Filters, *, cursor: str | None, limit: int = PAGE_SIZE
) -> Requests:
    """One page of the customer's requests as ``filters`` say; ``Invalid`` for a bad cursor.

    No join in the sorted statement: open/closed is a list of status ids from the
    configuration snapshot, the statuses come from it too (``config_cache.attach``) and the
    requesters of the page in one more query, so the database sorts tickets alone.
    """
    assert actor.user is not None
    tickets: QuerySet[Ticket] = visible_tickets(actor)
    if filters.whose == "mine":
        tickets = tickets.filter(requester_id=actor.user.pk)
    if filters.state != "all":
        finished = [s.pk for s in config_cache.statuses() if s.category in FINISHED]
        if filters.state == "open":
            tickets = tickets.exclude(status_id__in=finished)
        else:
            tickets = tickets.filter(status_id__in=finished)
    tickets = tickets.only(
        "id",
        "number",
        "subject",
        "updated_at",
        "created_at",
        "requester_id",
        "status_id",
        "priority_id",
    )
    page = paginate(tickets, BY_ACTIVITY, limit=limit, cursor=cursor)
    items = list(page.items)
    config_cache.attach(items)
    others = {t.requester_id for t in items} - {actor.user.pk}
    names: dict[int, str] = {}
    if others:
        for pk, name, email in User.objects.filter(pk__in=others).values_list(
            "pk", "name", "email"
        ):
            names[pk] = name or email or ""
    return Requests(items=items, next_cursor=page.next_cursor, names=names)


@dataclass(frozen=True)
class Shown:
    """A message as the customer sees it: sanitized HTML (remote images held back), its files."""

    message: Message
    html: str
    files: list[Attachment]
    from_customer: bool


def conversation(actor: Actor, ticket: Ticket) -> list[Shown]:
    """The ticket's public messages, oldest first, with their files: never an internal note
    (``visible_messages`` keeps them from customers) nor a note's files."""
    messages = (
        visible_messages(actor, ticket)
        .filter(public=True)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    shown = []
    for message in messages:
        source = message.body_html or text_to_html(message.body_text)
        author = message.author
        shown.append(
            Shown(
                message=message,
                html=display_html(source).html,
                files=sorted(message.attachments.all(), key=lambda file: file.pk),
                from_customer=author is not None and not author.is_agent,
            )
        )
    return shown
