"""Errors of the messaging app."""

from __future__ import annotations

from atiende.core.errors import NotFound


class InboundMessageNotFound(NotFound):
    """No inbound message with that id."""
