"""Background tasks of outbound mail: one send per queued mail, and the minute sweep.

The first attempt is enqueued when the mail is queued; retries come from the sweep, which
attempts every queued mail whose ``next_attempt_at`` has passed. (A sweep works with every
task backend, including the immediate one, and also recovers mail whose worker died.)
"""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from atiende.messaging.outbound import delivery


@task
def send_outbound(outbound_id: int) -> str:
    """Send one queued mail now (if it is still queued and due)."""
    return delivery.deliver(outbound_id)


@task
def send_due_outbound() -> int:
    """Retry the queued mail whose backoff has run out."""
    return delivery.deliver_due()


cron("* * * * *")(send_due_outbound)  # every minute
