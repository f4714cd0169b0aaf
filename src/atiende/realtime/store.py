"""The live log's hot statement, built once (``core.rows``, decision 0003).

One ``LiveEvent`` row follows every ticket write. Only the realtime app imports this module
(an import-linter contract).
"""

from __future__ import annotations

from atiende.core import rows
from atiende.realtime.models import LiveEvent


def insert_event(event: LiveEvent) -> None:
    rows.insert(event)
