"""The worker killed with SIGKILL between a reply's commit and its mail's delivery, 20 times.

Replies are committed by this test process with ``ATIENDE_OUTBOX_DELIVER_AT_ONCE`` off, so
each reply's mail is only an outbox row when the commit returns: everything after it (the
effect's delivery, which queues the mail, and the SMTP send) is done by a real ``atiende
worker`` process against this test's database (SQLite file or PostgreSQL), with the loopback
SMTP sink as the mail server. The test kills that worker at a random moment after it starts
(the random delay decides *when* to kill; nothing waits on a timer for the code under test),
starts another, and so on: two workers run at a time, so the kills also land while the other
worker delivers the same rows. Then a final clean run (the two minute sweeps, with the clock moved
past the send lease a killed worker may have left) delivers what is left.

Every committed reply then has exactly one mail (one ``OutboundEmail``, one Message-ID), and
that Message-ID arrived at the sink. The sink is counted by Message-ID: a worker killed after
the server accepted the DATA but before it recorded the send sends that same Message-ID again
(SMTP itself cannot be exactly-once; receivers de-duplicate by Message-ID), which happens in
about one run of two.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from atiende.messaging.models import DeliveryState, InboundMethod, Mailbox, OutboundEmail, Security
from atiende.messaging.outbound import delivery as sending
from atiende.outbox import delivery
from atiende.outbox.models import Effect, EffectState
from atiende.outbox.tasks import deliver_due_effects
from atiende.tickets import services as tickets
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.servers import SmtpSink
from tests.messaging.test_transports_crash import database_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ATIENDE = str(Path(sys.executable).with_name("atiende"))
KILLS = 20
READY_TIMEOUT = 60.0


class Worker:
    """``atiende worker`` as a child process that can be killed outright."""

    def __init__(self, directory: Path, number: int) -> None:
        self.log_path = directory / f"worker-{number}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ATIENDE_DATA_DIR": str(directory),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [ATIENDE, "worker", "--no-startup-delay", "--interval", "0.02"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        """Return once it polls for tasks (a bounded wait on its log)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while "Starting worker" not in self.log():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(self.log())
            time.sleep(0.01)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def test_a_worker_killed_at_random_points_loses_and_doubles_no_reply_mail(
    tmp_path: Any, settings: Any
) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False  # every delivery rides the worker
    sink = SmtpSink().start()
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    spawned = itertools.count()
    # Two workers, as deployed: the next one starts while the other works, and a sweep may be
    # taken by either; the one killed is chosen at random.
    pool = [Worker(tmp_path, next(spawned)) for _ in range(2)]
    everyone = list(pool)
    try:
        Mailbox.objects.create(
            address="support@helpdesk.test",
            inbound_method=InboundMethod.SMTP,
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_security=Security.NONE,
        )
        group = make_group()
        agent = make_agent(group)
        ticket_ids = [
            make_ticket(make_customer(email=f"c{n}@customer.test"), group_id=group.pk).pk
            for n in range(4)
        ]
        replies: list[int] = []
        for n in range(KILLS):
            message = tickets.add_message(
                web(agent), ticket_id=rng.choice(ticket_ids), body=f"Reply number {n}."
            )
            replies.append(message.pk)  # committed: its mail is now a promise in the outbox
            deliver_due_effects.enqueue()  # what the scheduler does every minute
            victim = rng.choice(pool)
            victim.wait_ready()
            time.sleep(rng.uniform(0.0, 0.35))  # a random moment of its work: then the crash
            victim.kill()
            pool.remove(victim)
            pool.append(Worker(tmp_path, next(spawned)))
            everyone.append(pool[-1])
        for worker in pool:
            worker.kill()

        done_by_killed_workers = Effect.objects.filter(state=EffectState.DELIVERED).count()
        later = timezone.now() + sending.LEASE + delivery.LONGEST_WAIT  # past any lease
        while delivery.deliver_due(now=later):
            pass
        while sending.deliver_due(now=later):
            pass
    finally:
        for worker in everyone:
            worker.kill()
        sink.stop()

    context = f"seed {seed}\n" + "\n".join(w.log()[-600:] for w in everyone[-4:])
    assert not Effect.objects.exclude(state=EffectState.DELIVERED).exists(), context
    mails = list(OutboundEmail.objects.filter(ticket_message_id__in=replies))
    assert sorted(m.ticket_message_id for m in mails) == sorted(replies), context  # one each
    assert all(m.state == DeliveryState.SENT for m in mails), context
    arrived = sink.by_message_id()
    expected = {m.message_id for m in mails}
    assert len(expected) == len(replies) and expected <= set(arrived), context
    every_mail = set(OutboundEmail.objects.values_list("message_id", flat=True))
    assert set(arrived) == every_mail, context  # nothing arrived that is not one of our rows
    assert done_by_killed_workers > 0, context  # the workers did work between the kills
