"""What every transport does after `store_raw` returned: hand the message to processing."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from atiende.messaging.models import InboundMessage, InboundState

log = logging.getLogger(__name__)

# The inbound pipeline's task; the second path is the one docs/dev/email.md first named.
PROCESS_TASK_MODULES = ("atiende.messaging.inbound.tasks", "atiende.messaging.tasks")


def processing_task() -> Any:
    for path in PROCESS_TASK_MODULES:
        try:
            module = import_module(path)
        except ModuleNotFoundError:
            continue
        found = getattr(module, "process_inbound", None)
        if found is not None:
            return found
    return None


def enqueue_processing(inbound: InboundMessage) -> None:
    """Enqueue processing of a stored message that still waits for it.

    A duplicate delivery of a message already processed enqueues nothing. If enqueueing
    fails the message is still safe: the inbound sweep picks up rows left ``received``.
    """
    if inbound.state != InboundState.RECEIVED:
        return
    task = processing_task()
    if task is None:
        log.warning("no process_inbound task; inbound %s waits for the sweep", inbound.pk)
        return
    try:
        task.enqueue(inbound.pk)
    except Exception:
        log.exception("could not enqueue processing of inbound %s", inbound.pk)
