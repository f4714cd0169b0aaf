"""The background task and the sweep that finishes rows a crash left ``received``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from atiende.messaging.inbound.store import store_raw
from atiende.messaging.inbound.tasks import process_inbound, sweep_inbound
from atiende.messaging.models import InboundMessage, InboundState
from atiende.messaging.sweeps import MAX_ATTEMPTS
from tests.messaging.mail import build, make_mailbox

pytestmark = pytest.mark.django_db


def test_the_task_processes_a_stored_message() -> None:
    row, _ = store_raw(build(), mailbox=make_mailbox(), source="smtp")

    assert process_inbound.call(row.pk) == InboundState.PROCESSED


def test_the_sweep_processes_only_rows_older_than_a_minute() -> None:
    mailbox = make_mailbox()
    old, _ = store_raw(build(body="old"), mailbox=mailbox, source="smtp")
    new, _ = store_raw(build(body="new"), mailbox=mailbox, source="smtp")
    InboundMessage.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(minutes=2)
    )

    assert sweep_inbound.call() == 1
    states = dict(InboundMessage.objects.values_list("pk", "state"))
    assert states == {old.pk: InboundState.PROCESSED, new.pk: InboundState.RECEIVED}


def test_a_message_that_keeps_killing_the_worker_is_quarantined() -> None:
    row, _ = store_raw(build(), mailbox=make_mailbox(), source="smtp")
    InboundMessage.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(minutes=2), attempts=MAX_ATTEMPTS
    )

    sweep_inbound.call()

    row.refresh_from_db()
    assert row.state == InboundState.QUARANTINED and "stopped the worker" in row.reason


def test_the_sweep_is_registered_with_the_scheduler() -> None:
    from crontask import scheduler

    names = [str(job.name) + str(job.func) for job in scheduler.get_jobs()]
    assert any("sweep_inbound" in name for name in names)
