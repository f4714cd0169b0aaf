"""Background processing of stored webhook payloads, and the sweep that finishes what a crash
or a lost task left ``received`` (as ``messaging.inbound.tasks`` does for mail)."""

from __future__ import annotations

import logging

from crontask import cron
from django.tasks import task

from atiende.messaging.channels.services import process
from atiende.messaging.models import ChannelPayload, ChannelPayloadState
from atiende.messaging.sweeps import sweep_received

log = logging.getLogger(__name__)


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
    return sweep_received(ChannelPayload, process)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_channel_payloads)  # every minute
