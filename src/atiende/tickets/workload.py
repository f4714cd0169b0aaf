"""System reads for assignment: what a ticket needs to be routed, and who carries what (also
shown to each agent as their own workload, ``own_workload``).

No scoping (the system decides), each read indexed: loads come from the ``TicketTally`` rollup
(a few rows per agent, never their tickets), the backlog from the ``ticket_counts`` index.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F
from django.utils.translation import gettext as _

from atiende.accounts.selectors import own_capacities
from atiende.core.actor import Actor
from atiende.core.errors import Forbidden
from atiende.core.permissions import require_staff
from atiende.tickets import config_cache, store
from atiende.tickets.models import ACTIVE_CATEGORIES, Channel, Ticket, TicketTally

CHAT = Channel.CHAT.value


@dataclass(frozen=True)
class RoutingFacts:
    """What a strategy may look at: where the ticket is, who wrote, in what, about what."""

    ticket_id: int
    group_id: int | None
    assignee_id: int | None
    requester_id: int
    language: str
    category_id: int | None
    tags: frozenset[str]
    active: bool
    channel: str = ""

    @property
    def chat(self) -> bool:
        """A live chat: it counts against the agent's chat capacity, not the ticket one."""
        return self.channel == CHAT


def active_status_ids() -> list[int]:
    """The statuses whose tickets still need work (from the cached configuration, read in
    place: ``config_cache.statuses()`` copies each status for callers that may change it)."""
    return [s.pk for s in config_cache.snapshot().statuses if s.category in ACTIVE_CATEGORIES]


def routing_facts(ticket_id: int) -> RoutingFacts | None:
    """The ticket's routing columns and tag names (one indexed read), or None if gone.

    Statements built once and prepared (``tickets.store``), like every hot read of an
    assignment decision: the ORM's Python would cost more than the reads.
    """
    row = store.routing_row(ticket_id)
    if row is None:
        return None
    group_id, assignee_id, requester_id, language, category_id, status_id, channel, tags = row
    return RoutingFacts(
        ticket_id=ticket_id,
        group_id=group_id,
        assignee_id=assignee_id,
        requester_id=requester_id,
        language=language,
        category_id=category_id,
        tags=tags,
        active=status_id in active_status_ids(),
        channel=channel,
    )


def group_loads(group_id: int) -> dict[int, int]:
    """How many active tickets each member of the group holds, in every group (one short
    statement over the tally); members with none are absent."""
    return store.active_loads(active_status_ids(), group_id=group_id)


def agent_load(user_id: int) -> int:
    """How many active tickets one agent holds, in every group, read afresh from the tally."""
    return store.active_loads(active_status_ids(), user_id=user_id).get(user_id, 0)


def group_chat_loads(group_id: int) -> dict[int, int]:
    """How many open chats (channel "chat") each member of the group holds, in every group:
    part of ``group_loads``, counted apart for the chat capacity."""
    return store.active_chat_loads(active_status_ids(), group_id=group_id)


def agent_chat_load(user_id: int) -> int:
    """How many open chats one agent holds, in every group, read afresh."""
    return store.active_chat_loads(active_status_ids(), user_id=user_id).get(user_id, 0)


@dataclass(frozen=True)
class Workload:
    """An agent's open chats and other open tickets, each against its capacity (``None``: no
    limit), as assignment weighs them."""

    chats: int
    chat_capacity: int | None
    tickets: int
    ticket_capacity: int | None


def own_workload(actor: Actor) -> Workload:
    """The caller's own load against their capacities, for their workspace: an agent sees
    where they stand, only for themselves (the capacities are an administrator's to set).

    Three indexed reads: the tally's active rows of the agent, their open chats, their
    availability row.
    """
    require_staff(actor)
    if actor.user is None:
        raise Forbidden(_("Only an agent has a workload."))
    user_id = actor.user.pk
    chats = agent_chat_load(user_id)
    ticket_capacity, chat_capacity = own_capacities(user_id)
    return Workload(
        chats=chats,
        chat_capacity=chat_capacity,
        tickets=agent_load(user_id) - chats,
        ticket_capacity=ticket_capacity,
    )


def unassigned_backlog(
    group_id: int, *, limit: int, chat: bool | None = None, unless: Exists | None = None
) -> list[int]:
    """The group's unassigned active tickets, most urgent first: highest priority, then the
    earliest due (resolution, then first reply; none last), then the oldest. ``chat``: only
    the chats (True) or only the other tickets (False). ``unless``: a condition on the
    ticket (``OuterRef("pk")``) that leaves it out, e.g. a chat the bot still answers."""
    tickets = Ticket.objects.filter(
        group_id=group_id,
        assignee__isnull=True,
        status_id__in=active_status_ids(),
        merged_into__isnull=True,
    )
    if chat is not None:
        tickets = tickets.filter(channel=CHAT) if chat else tickets.exclude(channel=CHAT)
    if unless is not None:
        tickets = tickets.filter(~unless)
    ids = tickets.order_by(
        F("priority__order").desc(),
        F("resolution_due_at").asc(nulls_last=True),
        F("first_response_due_at").asc(nulls_last=True),
        "created_at",
        "pk",
    ).values_list("pk", flat=True)
    return list(ids[:limit])


def has_unassigned(group_id: int) -> bool:
    """Whether the group has unassigned active tickets, read from the tally."""
    return TicketTally.objects.filter(
        group_key=group_id, assignee_key=0, status_id__in=active_status_ids(), count__gt=0
    ).exists()


def last_helper(requester_id: int, *, exclude_ticket_id: int) -> int | None:
    """The agent assigned to the customer's most recent other ticket (affinity), read along
    the ``ticket_requester_created`` index."""
    return store.last_assignee_of_requester(requester_id, exclude_ticket_id=exclude_ticket_id)


def assigned_active(user_id: int, *, limit: int = 500) -> list[tuple[int, int | None]]:
    """(ticket id, group id) of the agent's active tickets, oldest first (hand-over)."""
    tickets = (
        Ticket.objects.filter(assignee_id=user_id, status_id__in=active_status_ids())
        .order_by("created_at", "pk")
        .values_list("pk", "group_id")
    )
    return list(tickets[:limit])
