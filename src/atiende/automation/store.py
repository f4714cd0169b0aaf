"""The automation app's hot statements, built once and prepared (``core.rows``, decision 0003).

An assignment decision locks its group's settings row first; the ORM's Python for that one row
was a fifth of a decision. A trigger's firing counter is bumped by most ticket creates; the
ORM's ``update()`` cost more than the statement. Only the automation app imports this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import connections, router

from atiende.automation.models import GroupAssignment, Trigger
from atiende.core import rows

_LOCK = (
    "SELECT group_id, strategy, fallback, match_language, last_assigned_id"
    " FROM automation_groupassignment WHERE group_id = %s"
)


def alias() -> str:
    return router.db_for_write(GroupAssignment)


def lock_assignment_row(group_id: int) -> tuple[Any, ...] | None:
    """The group's assignment settings (group, strategy, fallback, match language, last
    assigned), locked until the transaction ends (SQLite's write transaction already excludes
    the others)."""
    db = connections[alias()]
    sql = _LOCK + (" FOR UPDATE" if db.features.has_select_for_update else "")
    with rows.cursor(db) as cursor:
        cursor.execute(sql, [group_id])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


_COUNT_FIRED = (
    "UPDATE automation_trigger SET fired_count = fired_count + %s, last_fired_at = %s WHERE id = %s"
)


def count_fired(counts: Mapping[int, int], at: dt.datetime) -> None:
    """Add each trigger's firings to its counter and stamp ``at``, in id order (concurrent
    writers take the rows' locks in one order); a trigger deleted meanwhile is skipped."""
    db = connections[router.db_for_write(Trigger)]
    stamp = db.ops.adapt_datetimefield_value(at)
    with rows.cursor(db) as cursor:
        for trigger_id, fired in sorted(counts.items()):
            cursor.execute(_COUNT_FIRED, [fired, stamp, trigger_id])
