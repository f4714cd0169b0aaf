"""The automation app's scheduled tasks (``atiende scheduler`` loads ``<app>.tasks`` of every
app): the minute sweep of time-based rules here; assignment keeps its own module, imported
below."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.automation.assignment.tasks import (  # noqa: F401  (assignment)
    drain_backlogs,
    hand_over_out_of_office,
)
from atiende.automation.timed import sweep


@task
def run_timed_rules() -> int:
    """Fire the time-based rules that are due (``timed.sweep``)."""
    return sweep.run_due()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(run_timed_rules)
