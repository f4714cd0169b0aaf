"""What a rule can read about one event: the event's own values and, loaded lazily and once,
the ticket, its tags, its first message and the event's message.

Conditions read only what they name, so a rule on ``event.kind`` costs no query and a hundred
rules on the ticket's fields cost one ticket load per event, not one per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils import timezone

from atiende.accounts.models import Organization, User
from atiende.accounts.selectors import organization_for_rules, user_for_rules
from atiende.core.actor import Actor
from atiende.core.event_types import (
    FieldChange,
    MessageAdded,
    TicketCreated,
    TicketUpdated,
)
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Message, Ticket
from atiende.tickets.selectors import (
    description_for_rules,
    tag_names_for_rules,
    ticket_for_rules,
    visible_messages,
)

READER = Actor.system("automation")


class Kind:
    """The kinds of event a rule can condition on (``event.kind``)."""

    CREATED = "created"
    UPDATED = "updated"
    MESSAGE_ADDED = "message_added"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    TIMED = "timed"
    RATED = "rated"  # a customer rated the ticket (surveys)

    ALL = (CREATED, UPDATED, MESSAGE_ADDED, SLA_WARNING, SLA_BREACHED, TIMED, RATED)


@dataclass
class Facts:
    """One event seen by the rules; ``ticket`` and the rest load on first use."""

    kind: str
    ticket_id: int
    source: str = ""
    source_detail: str = ""
    public: bool | None = None
    direction: str = ""
    message_id: int | None = None
    channel: str = ""
    changes: dict[str, FieldChange] = field(default_factory=dict)
    at: datetime = field(default_factory=timezone.now)
    # Ticket values the event itself carries (a new ticket's subject, group, assignee): read
    # from here, a condition on them costs no ticket load.
    carried: dict[str, Any] = field(default_factory=dict)
    # Rules already run for this event as the ticket was opened (``triggers.opening``): they
    # acted on it before its write, or did not hold for it.
    settled: frozenset[int] = frozenset()

    @classmethod
    def of(cls, event: object) -> Facts:
        """The facts of a ticket event (``TicketCreated``, ``TicketUpdated``, ``MessageAdded``)."""
        if isinstance(event, TicketCreated):
            return cls(
                kind=Kind.CREATED,
                ticket_id=event.ticket_id,
                source=event.source,
                source_detail=event.source_detail,
                channel=event.channel,
                settled=frozenset(event.rules_applied) | frozenset(event.rules_declined),
                carried={
                    "subject": event.subject,
                    "group": event.group_id,
                    "assignee": event.assignee_id,
                },
            )
        if isinstance(event, TicketUpdated):
            return cls(
                kind=Kind.UPDATED,
                ticket_id=event.ticket_id,
                source=event.source,
                source_detail=event.source_detail,
                changes={change.field: change for change in event.changes},
            )
        if isinstance(event, MessageAdded):
            return cls(
                kind=Kind.MESSAGE_ADDED,
                ticket_id=event.ticket_id,
                source=event.source,
                source_detail=event.source_detail,
                public=event.public,
                direction=event.direction,
                message_id=event.message_id,
            )
        raise TypeError(f"not a ticket event: {event!r}")

    @cached_property
    def ticket(self) -> Ticket:
        ticket = ticket_for_rules(self.ticket_id)
        if ticket is None:
            raise TicketNotFound()
        return ticket

    @cached_property
    def requester(self) -> User | None:
        return user_for_rules(self.ticket.requester_id)

    @cached_property
    def organization(self) -> Organization | None:
        organization_id = self.ticket.organization_id
        return organization_for_rules(organization_id) if organization_id else None

    @cached_property
    def tags(self) -> list[str]:
        return tag_names_for_rules(self.ticket_id)

    @cached_property
    def description(self) -> str:
        """The first message's text: what the customer wrote when opening the ticket."""
        return description_for_rules(self.ticket_id)

    @cached_property
    def message(self) -> Message | None:
        if self.message_id is None:
            return None
        return visible_messages(READER, self.ticket).filter(pk=self.message_id).first()

    @property
    def event_channel(self) -> str:
        """The channel the event came through: the message's, else the ticket's."""
        if self.channel:
            return self.channel
        message = self.message
        return str(message.channel) if message is not None else str(self.ticket.channel)

    def forget(self) -> None:
        """Read the ticket again on next use (a rule has just changed it)."""
        for name in ("ticket", "requester", "organization", "tags", "message"):
            self.__dict__.pop(name, None)
        self.carried = {}

    def read(self, name: str, attribute: str) -> Any:
        """A ticket value: as the event carried it, else from the ticket."""
        if name in self.carried:
            return self.carried[name]
        return getattr(self.ticket, attribute)

    def preload(
        self, ticket: Ticket, *, description: str | None = None, tags: list[str] | None = None
    ) -> None:
        """Use ``ticket`` (already in memory, maybe not yet written) instead of loading it,
        with its first message's text and its tags when given."""
        self.__dict__["ticket"] = ticket
        if isinstance(ticket, Ticket) and Ticket.requester.is_cached(ticket):
            self.__dict__["requester"] = ticket.requester
        if description is not None:
            self.__dict__["description"] = description
        if tags is not None:
            self.__dict__["tags"] = tags

    def custom(self, owner: str, key: str) -> Any:
        if owner == "ticket":
            return self.ticket.custom_fields.get(key)
        found = self.requester if owner == "customer" else self.organization
        return found.custom_fields.get(key) if found is not None else None
