"""The API's periodic housekeeping and its schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crontask import scheduler
from django.conf import LazySettings
from django.utils import timezone

from atiende.api.models import IdempotencyKey
from atiende.api.tasks import purge_idempotency_keys
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
