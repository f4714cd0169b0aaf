"""Background processing of stored webhook payloads, and the sweep that finishes what a crash
or a lost task left ``received`` (as ``messaging.inbound.tasks`` does for mail).

A task processes batches of the oldest ``received`` payloads (`services.process_batch`, many
to a commit) until a batch comes back short: everything received before its last look was
taken. So a webhook, once its row is committed, adds a task only when none is waiting: a task
seen ``READY`` after the row's commit has not been claimed yet, its claim commits later, and
its first batch reads after that claim, so it sees the row (on SQLite and PostgreSQL alike:
the worker claims in a transaction of its own and reads its batches in later ones). Under
load nearly every webhook finds the task the previous ones left, and the worker runs one task
per batch instead of one per payload (each claim was a locked read and two writes). A process
that dies between the row's commit and this check leaves the row to the sweep. A spooled
request (``channels.spool``) is visible the same way once its file is renamed into place:
each batch takes the spool in before it reads.
"""

from __future__ import annotations

import logging

from crontask import cron
from django.tasks import task
from django_tasks_db import DatabaseBackend

from atiende.messaging.channels import store
from atiende.messaging.channels.services import (
    batch_size,
    process,
    process_batch,
    take_in_spool,
)
from atiende.messaging.models import ChannelPayload, ChannelPayloadState
from atiende.messaging.sweeps import sweep_received

log = logging.getLogger(__name__)


@task
def process_channel_payload(payload_id: int) -> str:
    """Process ``received`` payloads in batches (``payload_id``'s among them, or taken by an
    earlier batch) until a batch comes back short; how many were finished."""
    finished, size = 0, batch_size()
    while True:
        done = process_batch(size)
        finished += len(done)
        if len(done) < size:
            return str(finished)


def enqueue_processing(payload: ChannelPayload) -> None:
    """Once ``payload`` is committed: a task to process it, unless one is waiting that will
    (the module's docstring says why that is safe). If enqueueing fails the payload is still
    safe: the sweep picks up rows left ``received``."""
    if payload.state != ChannelPayloadState.RECEIVED:
        return
    if _queue_in_database() and _task_waiting():
        return
    _enqueue(payload.pk or 0)  # 0: spooled, no row yet (the task takes batches, not one id)


def _task_waiting() -> bool:
    """A processing task not yet claimed by a worker (the queue's partial index of READY)."""
    return store.task_waiting(process_channel_payload.module_path)


def _queue_in_database() -> bool:
    return isinstance(process_channel_payload.get_backend(), DatabaseBackend)


def _enqueue(payload_id: int) -> None:
    try:
        process_channel_payload.enqueue(payload_id)
    except Exception:
        log.exception("could not enqueue processing of channel payload %s", payload_id)


@task
def sweep_channel_payloads() -> int:
    """Re-process ``received`` payloads older than a minute; a payload that stopped the worker
    `MAX_ATTEMPTS` times is quarantined instead of looping."""
    take_in_spool()  # a spooled request whose task was lost
    return sweep_received(ChannelPayload, process)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_channel_payloads)  # every minute
