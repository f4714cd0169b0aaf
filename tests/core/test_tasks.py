"""Periodic housekeeping tasks and their schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crontask import scheduler
from django.conf import LazySettings
from django.utils import timezone

from atiende.api.models import IdempotencyKey
from atiende.core.tasks import purge_idempotency_keys
from tests.factories import make_customer


@pytest.mark.django_db
def test_purge_forgets_only_expired_idempotency_keys(settings: LazySettings) -> None:
    settings.ATIENDE_IDEMPOTENCY_TTL_HOURS = 24
    user = make_customer()
    for key in ("old", "fresh"):
        IdempotencyKey.objects.create(user=user, key=key, method="POST", path="/", request_hash="")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    assert purge_idempotency_keys.call() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_purge_is_scheduled_hourly() -> None:
    jobs = {job.name: job for job in scheduler.get_jobs()}

    trigger = jobs[purge_idempotency_keys.name].trigger
    assert str(trigger.fields[trigger.FIELD_NAMES.index("minute")]) == "17"
    assert str(trigger.fields[trigger.FIELD_NAMES.index("hour")]) == "*"


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
