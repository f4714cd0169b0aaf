"""Background processing of stored webhook payloads, and the sweep that finishes what a crash
or a lost task left ``received`` (as ``messaging.inbound.tasks`` does for mail)."""

from __future__ import annotations

import logging
from datetime import timedelta

from crontask import cron
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.messaging.channels.services import process
from atiende.messaging.models import ChannelPayload, ChannelPayloadState

log = logging.getLogger(__name__)

SWEEP_AGE = timedelta(minutes=1)
SWEEP_BATCH = 500
MAX_ATTEMPTS = 5


@task
def process_channel_payload(payload_id: int) -> str:
    """Process one stored payload; the state it ended in."""
    return str(process(payload_id).state)


def enqueue_processing(payload: ChannelPayload) -> None:
    """Hand a stored payload to the task. If enqueueing fails the payload is still safe: the
    sweep picks up rows left ``received``."""
    if payload.state != ChannelPayloadState.RECEIVED:
        return
    try:
        process_channel_payload.enqueue(payload.pk)
    except Exception:
        log.exception("could not enqueue processing of channel payload %s", payload.pk)


@task
def sweep_channel_payloads() -> int:
    """Re-process ``received`` payloads older than a minute; a payload that stopped the worker
    `MAX_ATTEMPTS` times is quarantined instead of looping."""
    cutoff = timezone.now() - SWEEP_AGE
    ids = list(
        ChannelPayload.objects.filter(state=ChannelPayloadState.RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for payload_id in ids:
        rows = ChannelPayload.objects.filter(pk=payload_id, state=ChannelPayloadState.RECEIVED)
        if rows.filter(attempts__gte=MAX_ATTEMPTS).update(
            state=ChannelPayloadState.QUARANTINED,
            reason=_("Processing stopped the worker %(n)d times.") % {"n": MAX_ATTEMPTS},
            processed_at=timezone.now(),
        ):
            continue
        rows.update(attempts=F("attempts") + 1)
        process(payload_id)
    return len(ids)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_channel_payloads)  # every minute
