"""The composer's "Send by": the ways the customer can be reached, the one they last used
first, and what WhatsApp's 24-hour window allows (``messaging.channels.routes``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from atiende.messaging.channels import routes
from atiende.tickets.models import Ticket


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    needs_template: bool
    templates: list[routes.Template]


@dataclass(frozen=True)
class SendBy:
    """The choices (shown when more than one), the default, and whether the default can only
    carry a template now."""

    choices: list[Choice]
    default: str

    @property
    def shown(self) -> bool:
        return len(self.choices) > 1

    @property
    def current(self) -> Choice | None:
        return next((c for c in self.choices if c.value == self.default), None)

    @property
    def window_closed(self) -> bool:
        """Whether a WhatsApp conversation offered here now carries only templates."""
        return any(choice.needs_template for choice in self.choices)

    @property
    def templates(self) -> list[routes.Template]:
        """Every template a WhatsApp route whose window closed may send."""
        found: list[routes.Template] = []
        for choice in self.choices:
            if choice.needs_template:
                found += [t for t in choice.templates if t not in found]
        return found


def send_by(ticket: Ticket) -> SendBy:
    reachable = routes.reachable(ticket)
    default = routes.default_route(ticket, reachable)
    now = timezone.now()
    choices = [
        Choice(
            value=route.value,
            label=route.label,
            needs_template=route.needs_template(now),
            templates=routes.templates_of(route.account) if route.account is not None else [],
        )
        for route in reachable
    ]
    return SendBy(choices=choices, default=default.value if default is not None else "")
