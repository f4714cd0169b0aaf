"""The scheduler's work for automation: the minute sweep of time-based rules."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.automation.timed import sweep


@task
def run_timed_rules() -> int:
    """Fire the time-based rules that are due (``timed.sweep``)."""
    return sweep.run_due()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(run_timed_rules)
