"""The active time-based rules of this process (``core.snapshots``): every ticket event asks
which rules wait on it; the timed services call ``changed()``."""

from __future__ import annotations

from collections.abc import Sequence

from atiende.automation.models import TimedRule
from atiende.core.snapshots import Snapshots

_snapshots = Snapshots()
clear = _snapshots.clear
changed = _snapshots.changed


def active_rules() -> Sequence[TimedRule]:
    return _snapshots.remember("active", lambda: tuple(TimedRule.objects.filter(active=True)))
