"""The database's periodic housekeeping and its schedule."""

from __future__ import annotations

import pytest
from crontask import scheduler


@pytest.mark.django_db
def test_planner_statistics_are_gathered_on_sqlite_and_left_to_postgresql() -> None:
    from django.db import connection

    from atiende.core.tasks import refresh_planner_statistics

    result = refresh_planner_statistics.call()
    if connection.vendor == "sqlite":
        assert result == "analyzed"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() == (1,)
    else:
        assert result == "skipped"
    jobs = {job.name: job for job in scheduler.get_jobs()}
    trigger = jobs[refresh_planner_statistics.name].trigger
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "3"
