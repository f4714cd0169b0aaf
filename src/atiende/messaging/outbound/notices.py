"""What an automatic acknowledgement says besides its template: an out-of-hours answer, a
holiday or outage announcement.

Those are decided above messaging (``automation.autoreplies``), which plugs its provider in at
start-up with ``use_notice_provider``, as search plugs its text filter into the ticket list.
The provider is asked each time the mail is built and must answer the same for the same ticket
(it reads the moment the ticket arrived, not the clock), so a retried mail says what the first
attempt said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from atiende.tickets.models import Ticket


@dataclass(frozen=True)
class Notice:
    """Plain text for the customer; ``replaces`` drops the acknowledgement's own text."""

    text: str
    replaces: bool = False


NoticeProvider = Callable[[Ticket, str], Notice | None]


def _nothing(ticket: Ticket, language: str) -> Notice | None:
    return None


_provider: NoticeProvider = _nothing


def use_notice_provider(provider: NoticeProvider) -> None:
    """Install what ``notice_for`` asks (automation does at start-up; tests may too)."""
    global _provider
    _provider = provider


def notice_for(ticket: Ticket, language: str) -> Notice | None:
    """The notice for the acknowledgement of ``ticket`` in ``language``, if any."""
    return _provider(ticket, language)
