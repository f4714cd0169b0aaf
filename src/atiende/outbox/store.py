"""The outbox's hot statement: one INSERT inside every change that has an effect."""

from __future__ import annotations

from atiende.core import rows
from atiende.outbox.models import Effect


def insert(effect: Effect) -> None:
    """Write ``effect`` with a statement built once (this runs inside every ticket write)."""
    rows.insert(effect)
