"""What processing decided for one inbound row."""

from __future__ import annotations

from dataclasses import dataclass, field

from atiende.tickets.models import Message, Ticket


@dataclass
class Outcome:
    """The row's new state and reason, its ticket and message, and header fields to keep."""

    state: str
    reason: str = ""
    ticket: Ticket | None = None
    message: Message | None = None
    fields: dict[str, object] = field(default_factory=dict)
