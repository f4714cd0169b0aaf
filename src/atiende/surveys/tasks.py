"""The daily NPS round, enqueued by the scheduler and run by ``atiende worker``."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.surveys.nps import send_nps


@task
def send_nps_surveys() -> int:
    """Ask the customers with a recent resolution for their NPS (when NPS is on)."""
    return send_nps()


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("30 10 * * *")(send_nps_surveys)  # every day at 10:30
