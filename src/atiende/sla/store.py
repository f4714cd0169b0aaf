"""The sla app's hot statements: writing back a sweep's batch of timers in one UPDATE, and a
ticket's timers as each change moves them (statements built once, ``core.rows``).

Django's ``bulk_update`` builds a ``CASE`` expression per field and row in Python (three
seconds for a thousand timers on the bench machine); on PostgreSQL one ``UPDATE … FROM
jsonb_array_elements(%s)`` does the same in milliseconds with one parameter (arrays as
parameters cost more: psycopg quotes each element of a text array in Python). Other databases (the
embedded SQLite, whose batches are small) keep ``bulk_update``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Field

from atiende.core import rows
from atiende.sla.models import SlaTimer

SWEPT_FIELDS = ["warned_at", "breached_at", "escalated_level", "next_check_at"]


def write_swept(timers: Sequence[SlaTimer]) -> None:
    """Write each timer's warned/breached times, escalation level and next check."""
    if not timers:
        return
    alias = router.db_for_write(SlaTimer)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        SlaTimer.objects.using(alias).bulk_update(timers, SWEPT_FIELDS)
        return
    table = SlaTimer._meta.db_table
    sql = (
        f"UPDATE {table} AS t SET warned_at = (r->>'w')::timestamptz, "  # noqa: S608  (our own table name)
        "breached_at = (r->>'b')::timestamptz, escalated_level = (r->>'l')::smallint, "
        "next_check_at = (r->>'n')::timestamptz "
        "FROM jsonb_array_elements(%s::jsonb) AS r WHERE t.id = (r->>'i')::bigint"
    )
    rows = [
        {
            "i": t.pk,
            "w": _iso(t.warned_at),
            "b": _iso(t.breached_at),
            "l": t.escalated_level,
            "n": _iso(t.next_check_at),
        }
        for t in timers
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows)])


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def save_timers(timers: Sequence[SlaTimer], fields: Sequence[str]) -> None:
    """A ticket's few timers, inside the change that moved them: the new ones INSERTed in one
    statement built once (a new covered ticket starts two or three); ``fields`` of the others
    in one ``bulk_update`` — but one timer (a customer's reply restarting its clock, the usual
    case) by an UPDATE built once, where ``bulk_update`` would build a ``CASE`` per field."""
    rows.insert_many([t for t in timers if t.pk is None])
    saved = [t for t in timers if t.pk is not None]
    if len(saved) == 1:  # a row deleted meanwhile is skipped, as bulk_update does
        timer = saved[0]
        values = {n: getattr(timer, _attname(n)) for n in fields}
        rows.update_values(SlaTimer, timer.pk, values)
    elif saved:
        SlaTimer.objects.bulk_update(saved, fields)


def _attname(name: str) -> str:
    field = SlaTimer._meta.get_field(name)
    assert isinstance(field, Field)
    return field.attname


def ticket_timers(ticket_id: int) -> list[SlaTimer]:
    """The ticket's timers (one per kind at most), read by a statement built once."""
    return rows.every(SlaTimer, ticket_id=ticket_id)
