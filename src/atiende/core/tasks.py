"""Periodic housekeeping, scheduled by ``atiende scheduler`` and run by ``atiende worker``."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.conf import settings
from django.db import connection
from django.tasks import task
from django.utils import timezone

from atiende.api.models import IdempotencyKey


@task
def purge_idempotency_keys() -> int:
    """Forget remembered API answers older than ``ATIENDE_IDEMPOTENCY_TTL_HOURS``."""
    cutoff = timezone.now() - timedelta(hours=settings.ATIENDE_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("17 * * * *")(purge_idempotency_keys)  # hourly, off the top of the hour


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
