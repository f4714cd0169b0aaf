"""When assignment runs: a new ticket in an automatic group, a ticket moved into one, a live
chat queued for the team, and whenever an agent may have become free (back online, back from
leave, a ticket solved)."""

from __future__ import annotations

from atiende.accounts.selectors import agent_group_ids
from atiende.automation.assignment import engine
from atiende.core.event_types import (
    AgentAvailabilityChanged,
    ChatQueued,
    TicketCreated,
    TicketUpdated,
)
from atiende.core.events import subscribe
from atiende.messaging.chat.services import opened_by_widget
from atiende.tickets import config_cache
from atiende.tickets.models import ACTIVE_CATEGORIES
from atiende.tickets.workload import routing_facts


@subscribe(TicketCreated, in_transaction=True)
def assign_new_ticket(event: TicketCreated) -> None:
    """In the creating transaction: the ticket is never seen unassigned when it need not be.

    A chat widget's ticket waits for its chat to be queued (``assign_queued_chat``): the chat
    is linked to its ticket only after the ticket exists, and the bot may answer it first.
    """
    if opened_by_widget(event.source, event.source_detail):
        return
    if event.group_id is not None and event.assignee_id is None:
        engine.assign(ticket_id=event.ticket_id, group_id=event.group_id)


@subscribe(ChatQueued, in_transaction=True)
def assign_queued_chat(event: ChatQueued) -> None:
    """A chat became the team's (no bot, or the bot handed over): assigned in the same
    transaction by the group's strategy, within the agents' chat capacity; when everybody is
    full it waits in the backlog, drained as a chat ends."""
    engine.assign(ticket_id=event.ticket_id)


@subscribe(TicketUpdated, in_transaction=True)
def assign_moved_ticket(event: TicketUpdated) -> None:
    """A ticket moved to another group (by hand, a rule, an escalation) and left unassigned."""
    moved = next((c for c in event.changes if c.field == "group"), None)
    if moved is None or not isinstance(moved.new, dict):
        return
    group_id = moved.new.get("id")
    if isinstance(group_id, int):
        engine.assign(ticket_id=event.ticket_id, group_id=group_id)


def _inactive(status: object) -> bool:
    if not isinstance(status, dict) or not isinstance(status.get("id"), int):
        return False
    found = next((s for s in config_cache.statuses() if s.pk == status["id"]), None)
    return found is not None and found.category not in ACTIVE_CATEGORIES


def _freed_agent(event: TicketUpdated) -> int | None:
    """The agent this change gave room to: the one unassigned, or the one whose ticket was
    solved or closed."""
    changes = {c.field: c for c in event.changes}
    assignee = changes.get("assignee")
    if assignee is not None and isinstance(assignee.old, dict):
        old = assignee.old.get("id")
        return old if isinstance(old, int) else None
    status = changes.get("status")
    if status is not None and _inactive(status.new) and not _inactive(status.old):
        facts = routing_facts(event.ticket_id)
        return facts.assignee_id if facts is not None else None
    return None


@subscribe(TicketUpdated)
def drain_to_freed_agent(event: TicketUpdated) -> None:
    """After the commit: capacity freed, so the waiting backlog of the agent's groups drains."""
    if not {"assignee", "status"} & set(event.fields):
        return
    agent_id = _freed_agent(event)
    if agent_id is not None:
        engine.drain_groups(agent_group_ids(agent_id))


@subscribe(AgentAvailabilityChanged)
def drain_to_available_agent(event: AgentAvailabilityChanged) -> None:
    """After the commit: an agent is back (online, active again, back from leave, more room)."""
    if event.available:
        engine.drain_groups(agent_group_ids(event.user_id))
