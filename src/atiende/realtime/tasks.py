"""Housekeeping of the live event log and presence rows."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.realtime import log, presence


@task
def purge_live_events() -> int:
    """Forget live events past the retention and presence rows past their TTL."""
    return log.purge() + presence.purge()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("*/10 * * * *")(purge_live_events)
