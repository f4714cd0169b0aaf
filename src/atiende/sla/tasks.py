"""The SLA sweep, enqueued every minute by the scheduler and run by ``atiende worker``."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.sla.services.sweep import sweep_all


@task
def sweep_sla_timers() -> int:
    """Warn, breach and escalate the timers whose next step has come."""
    return sweep_all()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_sla_timers)  # every minute
