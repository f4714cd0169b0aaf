"""Errors specific to tickets, each a subclass of a known category in ``core.errors``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from atiende.core.errors import Conflict, Invalid, NotFound


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    title = _("Ticket not found")


class StaleVersion(Conflict):
    """The caller edited an older version; the current state travels in ``extra``."""

    code = "stale_version"
    title = _("The ticket was changed by someone else")


class TicketClosed(Conflict):
    code = "ticket_closed"
    title = _("The ticket is closed")


class InvalidTransition(Invalid):
    code = "invalid_transition"
    title = _("Status change not allowed")
