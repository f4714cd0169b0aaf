"""Mailbox polling: the scheduler enqueues one sweep a minute; a worker polls each mailbox."""

from __future__ import annotations

from datetime import timedelta

from crontask import cron
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from atiende.messaging.models import InboundMethod, Mailbox
from atiende.messaging.transports import imap

# A mailbox polled less than this long ago is left alone: two overlapping polls would only
# fetch the same messages twice (stored once, but wasted work).
MIN_INTERVAL = timedelta(seconds=30)


@task
def poll_imap_mailboxes() -> int:
    """Enqueue a poll of every active IMAP mailbox; returns how many were enqueued."""
    ids = list(
        Mailbox.objects.filter(active=True, inbound_method=InboundMethod.IMAP)
        .exclude(imap_host="")
        .values_list("pk", flat=True)
    )
    for mailbox_id in ids:
        poll_mailbox.enqueue(mailbox_id)
    return len(ids)


@task
def poll_mailbox(mailbox_id: int) -> dict[str, object]:
    """Poll one mailbox now, unless another poll of it started moments ago."""
    now = timezone.now()
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id, active=True)
        .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=now - MIN_INTERVAL))
        .update(last_polled_at=now)
    )
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if not claimed or mailbox is None:
        return {"skipped": True}
    result = imap.poll(mailbox)
    return {"stored": result.stored, "duplicates": result.duplicates, "error": result.error}


cron("* * * * *")(poll_imap_mailboxes)  # every minute
