"""Periodic housekeeping of the database itself, scheduled by ``atiende scheduler`` and run by
``atiende worker``. Each app keeps its own housekeeping in its ``tasks`` module."""

from __future__ import annotations

from crontask import cron
from django.db import connection
from django.tasks import task

# Rows sampled per index when SQLite gathers statistics: approximate, and fast at any size.
ANALYSIS_LIMIT = 1000


@task
def refresh_planner_statistics() -> str:
    """Give SQLite's query planner current statistics (PostgreSQL's autovacuum does this).

    Without them SQLite takes every index for selective: it drove the inbox list from
    ``tickets_status`` (9 rows) through an index and sorted 100,000 tickets instead of reading
    the newest 25 in order.
    """
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return "analyzed"


cron("43 3 * * *")(refresh_planner_statistics)  # nightly
