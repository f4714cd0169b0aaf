"""The ticket events, declared in ``core.event_types`` (the one catalogue); imported from here
by code written before the catalogue moved. New code imports ``atiende.core.event_types``."""

from atiende.core.event_types import (
    AgentsMentioned,
    FieldChange,
    MessageAdded,
    TicketCreated,
    TicketDeleted,
    TicketLinked,
    TicketsMerged,
    TicketUnlinked,
    TicketUpdated,
)

__all__ = [
    "AgentsMentioned",
    "FieldChange",
    "MessageAdded",
    "TicketCreated",
    "TicketDeleted",
    "TicketLinked",
    "TicketUnlinked",
    "TicketUpdated",
    "TicketsMerged",
]
