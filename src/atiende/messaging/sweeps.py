"""The sweep shared by the two raw-first intakes (mail, channel webhooks): finish what a crash
or a lost task left ``received``, without looping on a row that kills the worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

SWEEP_AGE = timedelta(minutes=1)
SWEEP_BATCH = 500
MAX_ATTEMPTS = 5
RECEIVED = "received"
QUARANTINED = "quarantined"


def sweep_received(model: type[models.Model], process: Callable[[int], Any]) -> int:
    """Re-process ``received`` rows of ``model`` older than a minute; how many were picked.

    Each pick counts an attempt first, in its own commit: a row that kills the worker every
    time (memory, a parser bug) is quarantined after `MAX_ATTEMPTS` instead of looping.
    ``model`` has ``state``, ``received_at``, ``attempts``, ``reason`` and ``processed_at``.
    """
    cutoff = timezone.now() - SWEEP_AGE
    manager = model._default_manager
    ids = list(
        manager.filter(state=RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for row_id in ids:
        rows = manager.filter(pk=row_id, state=RECEIVED)
        if rows.filter(attempts__gte=MAX_ATTEMPTS).update(
            state=QUARANTINED,
            reason=_("Processing stopped the worker %(n)d times.") % {"n": MAX_ATTEMPTS},
            processed_at=timezone.now(),
        ):
            continue
        rows.update(attempts=F("attempts") + 1)
        process(row_id)
    return len(ids)
