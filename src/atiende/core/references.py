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
    connection = connections[alias]
    quote = connection.ops.quote_name
    column = model._meta.pk.column
    assert column is not None  # a primary key always has its column
    key, table = quote(column), quote(model._meta.db_table)
    marks = ", ".join(["%s"] * len(wanted))
    # Names from the model's metadata, every id a parameter. Written out, not built by the
    # ORM: this runs in every change that starts an SLA timer, and the query's Python cost
    # more than the statement.
    sql = f"SELECT {key} FROM {table} WHERE {key} IN ({marks}) ORDER BY {key}"  # noqa: S608
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE"
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        return {row[0] for row in cursor.fetchall()}
