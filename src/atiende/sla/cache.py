"""The sla app's per-process snapshots of calendars and SLA policies (``core.snapshots``):
every ticket event and every sweep reads them; the sla services call ``changed()``."""

from __future__ import annotations

from atiende.core.snapshots import Snapshots

_snapshots = Snapshots()
remember = _snapshots.remember
clear = _snapshots.clear
changed = _snapshots.changed
