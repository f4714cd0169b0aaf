"""Rows a change is about to refer to, checked and held until it commits.

A per-process snapshot (``core.snapshots``) may still hold a policy or rule that another
process deleted a moment ago. A row written with its id would fail only at commit, when the
deferred foreign keys are checked — the whole change lost for a row of configuration. A writer
that takes an id from a snapshot asks ``hold`` first and, for an id that is gone, forgets its
snapshot instead of writing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connections, router
from django.db.models import Model


def hold(model: type[Model], ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` whose rows exist, kept from deletion until this transaction ends.

    On PostgreSQL the rows are locked ``FOR KEY SHARE``, the lock the foreign-key check takes
    itself: it does not wait for other changes that refer to the row, and a delete waits for
    this commit. SQLite's IMMEDIATE transactions already keep every other writer out.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    alias = router.db_for_write(model)
    query = model._default_manager.using(alias).filter(pk__in=wanted).order_by("pk")
    rows = query.values_list("pk", flat=True)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return set(rows)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR KEY SHARE", params)
        return {row[0] for row in cursor.fetchall()}
