"""Custom field values of users and organizations, checked against their definitions.

The definitions live with the rest of the configuration in the tickets app (one table for
tickets, users and organizations; ``tickets.custom_fields``). Tickets depends on accounts,
not the reverse, so the tickets app plugs its checker in here when it starts
(``TicketsConfig.ready``): an explicit registration, no import of tickets from accounts.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from django.core.exceptions import ImproperlyConfigured

Target = Literal["user", "organization"]


class Checker(Protocol):
    def __call__(
        self, target: Any, values: dict[str, Any], *, current: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...


_checkers: list[Checker] = []


def use_checker(checker: Checker) -> None:
    """Plug in the check of values against the definitions (the tickets app does)."""
    _checkers[:] = [checker]


def clean(
    target: Target, values: dict[str, Any], *, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``current`` updated with ``values``, each checked (see ``tickets.custom_fields``)."""
    if not _checkers:
        raise ImproperlyConfigured("No custom field checker: install atiende.tickets.")
    return _checkers[0](target, values, current=current)
