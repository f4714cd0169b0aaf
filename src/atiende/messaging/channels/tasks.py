"""Background processing of stored webhook payloads, and the sweep that finishes what a crash
or a lost task left ``received`` (as ``messaging.inbound.tasks`` does for mail).

A stored payload's task row is written in the webhook's own transaction (one commit). A task
processes batches of the oldest ``received`` payloads (`services.process_batch`, many to a
commit) until a batch comes back short: everything received before its last look was taken.

On SQLite a webhook adds no task when one is already waiting: the check runs inside the
webhook's write transaction, and the worker must take that same lock to claim the waiting
task, so the task can only look after the payload is committed, and it will see it. On
PostgreSQL nothing orders the two, so every payload gets its task; a task whose payload an
earlier batch took finds an empty batch and ends.
"""

from __future__ import annotations

import logging

from crontask import cron
from django.db import connection, transaction
from django.tasks import task
from django_tasks_db import DatabaseBackend

from atiende.messaging.channels import store
from atiende.messaging.channels.services import batch_size, process, process_batch
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


def enqueue_with_payload(payload: ChannelPayload) -> None:
    """Inside the transaction that stores ``payload``: a queue in our database gets the task
    row in that same commit (neither without the other)."""
    if payload.state != ChannelPayloadState.RECEIVED or not _queue_in_database():
        return
    if connection.vendor == "sqlite" and _task_waiting():
        return  # it will see this payload (the module's docstring says why)
    _enqueue(payload.pk)


def enqueue_processing(payload: ChannelPayload) -> None:
    """Once ``payload`` is committed: any other queue gets the task now (it could run the task
    before the row exists). If enqueueing fails the payload is still safe: the sweep picks up
    rows left ``received``."""
    if payload.state == ChannelPayloadState.RECEIVED and not _queue_in_database():
        _enqueue(payload.pk)


def _task_waiting() -> bool:
    """A processing task not yet claimed by a worker (the queue's partial index of READY)."""
    return store.task_waiting(process_channel_payload.module_path)


def _queue_in_database() -> bool:
    return isinstance(process_channel_payload.get_backend(), DatabaseBackend)


def _enqueue(payload_id: int) -> None:
    try:
        # A savepoint when the caller's transaction is open: a failed INSERT must not break it.
        with transaction.atomic():
            process_channel_payload.enqueue(payload_id)
    except Exception:
        log.exception("could not enqueue processing of channel payload %s", payload_id)


@task
def sweep_channel_payloads() -> int:
    """Re-process ``received`` payloads older than a minute; a payload that stopped the worker
    `MAX_ATTEMPTS` times is quarantined instead of looping."""
    return sweep_received(ChannelPayload, process)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_channel_payloads)  # every minute
