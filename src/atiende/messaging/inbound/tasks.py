"""Background processing of stored mail, and the sweep that finishes what a crash left."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.messaging.inbound.pipeline import process
from atiende.messaging.models import InboundMessage, InboundState

SWEEP_AGE = timedelta(minutes=1)
SWEEP_BATCH = 500
MAX_ATTEMPTS = 5


@task
def process_inbound(inbound_id: int) -> str:
    """Process one stored message; the state it ended in."""
    return str(process(inbound_id).state)


@task
def sweep_inbound() -> int:
    """Re-process ``received`` rows older than a minute (a worker died, a task was lost).

    Each pick counts an attempt first, in its own commit: a message that kills the worker
    every time (memory, a parser bug) is quarantined after `MAX_ATTEMPTS` instead of looping.
    """
    cutoff = timezone.now() - SWEEP_AGE
    ids = list(
        InboundMessage.objects.filter(state=InboundState.RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for inbound_id in ids:
        rows = InboundMessage.objects.filter(pk=inbound_id, state=InboundState.RECEIVED)
        if rows.filter(attempts__gte=MAX_ATTEMPTS).update(
            state=InboundState.QUARANTINED,
            reason=_("Processing stopped the worker %(n)d times.") % {"n": MAX_ATTEMPTS},
            processed_at=timezone.now(),
        ):
            continue
        rows.update(attempts=F("attempts") + 1)
        process(inbound_id)
    return len(ids)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_inbound)  # every minute
