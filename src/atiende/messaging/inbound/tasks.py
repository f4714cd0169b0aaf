"""Background processing of stored mail, and the sweep that finishes what a crash left."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.messaging.inbound.pipeline import process
from atiende.messaging.models import InboundMessage
from atiende.messaging.sweeps import sweep_received


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
    return sweep_received(InboundMessage, process)


# Registered without decorator syntax: crontask is untyped and would erase the task's type.
cron("* * * * *")(sweep_inbound)  # every minute
