"""Domain events about tickets. Ids and plain values only, so they cross process boundaries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketCreated:
    ticket_id: int
    number: int
    actor_id: int | None
    source: str
    channel: str
    # What the ticket was created with, so that subscribers (live events, notifications) need
    # not read it back inside the creating transaction.
    subject: str = ""
    requester_id: int | None = None
    group_id: int | None = None
    assignee_id: int | None = None
    status_id: int | None = None
    priority_id: int | None = None


@dataclass(frozen=True)
class TicketUpdated:
    ticket_id: int
    actor_id: int | None
    source: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class MessageAdded:
    ticket_id: int
    message_id: int
    actor_id: int | None
    source: str
    public: bool
    direction: str


@dataclass(frozen=True)
class AgentsMentioned:
    """Agents named with @ in a message; each is notified."""

    ticket_id: int
    message_id: int
    actor_id: int | None
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class TicketsMerged:
    source_id: int
    target_id: int
    actor_id: int | None


@dataclass(frozen=True)
class TicketLinked:
    source_id: int
    target_id: int
    kind: str
    actor_id: int | None
