"""The API's housekeeping, scheduled by ``atiende scheduler`` and run by ``atiende worker``."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.conf import settings
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
