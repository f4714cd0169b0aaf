"""The channel bench's webhooks and its in-process stages (``bench/channels.py``).

`webhooks` makes signed WhatsApp Cloud webhooks as Meta sends them. `in_process` posts N of
them through Django's request handler in this process (no HTTP server, no other process: what
one request costs the web tier), then processes the stored rows with ``services.process`` (no
task queue: what one payload costs the worker), optionally under cProfile.
"""

from __future__ import annotations

import cProfile
import hashlib
import hmac
import io
import json
import logging
import os
import pstats
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from common import Figure, print_figure
from fixture import ENGLISH, SPANISH

PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "bench-app-secret"
INTAKE_TARGET = 500.0  # requests/s
PROCESS_TARGET = 200.0  # payloads/s


def webhooks(rng: random.Random, senders: int, tag: str) -> Iterator[tuple[bytes, str]]:
    """(body, X-Hub-Signature-256) of WhatsApp webhooks, one text message each, as Meta sends
    them (webhooks/reference/messages); ``tag`` keeps message ids distinct across threads."""
    words = ENGLISH + SPANISH
    n = 0
    while True:
        n += 1
        sender = f"54911{rng.randrange(senders):08d}"
        message = {
            "from": sender,
            "id": f"wamid.BENCH{tag}{n:010d}",
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": " ".join(rng.choices(words, k=rng.randint(4, 30)))},
        }
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": f"Cliente {sender[-4:]}"}, "wa_id": sender}],
            "messages": [message],
        }
        envelope = {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}
            ],
        }
        body = json.dumps(envelope).encode()
        yield body, "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


class Timed:
    """Calls timed one by one (wall ms), optionally under one profiler."""

    def __init__(self, profile: bool) -> None:
        self.samples: list[float] = []
        self.profiler = cProfile.Profile() if profile else None
        self.cpu = 0.0

    def __call__[T](self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        began, cpu = time.perf_counter(), time.process_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            return call(*args, **kwargs)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
            self.cpu += time.process_time() - cpu
            self.samples.append((time.perf_counter() - began) * 1000)

    def print_profile(self, title: str, top: int = 30) -> None:
        if self.profiler is None:
            return
        if folder := os.environ.get("ATIENDE_BENCH_PROFILES"):  # for pstats/snakeviz later
            name = "".join(c if c.isalnum() else "-" for c in title.split(":")[0]).strip("-")
            self.profiler.dump_stats(os.path.join(folder, f"{name}.prof"))
        stream = io.StringIO()
        stats = pstats.Stats(self.profiler, stream=stream).sort_stats("cumulative")
        stats.print_stats("atiende/", top)
        lines = stream.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"--- {title}: top {top} by cumulative time, atiende/ only", flush=True)
        print("\n".join(lines[start:]).rstrip(), flush=True)

    def figure(self, name: str, *, unit: str, errors: int, target: float) -> Figure:
        count = len(self.samples)
        wall = sum(self.samples) / 1000
        figure = Figure.from_samples(
            name,
            self.samples,
            errors=errors,
            unit=unit,
            note=f"this process's CPU {self.cpu / max(1, count) * 1000:.1f} ms each",
        )
        figure.rate = count / wall if wall else float("nan")
        figure.target = f">= {target:g} {unit}"
        figure.ok = figure.rate >= target and not errors
        return figure


def spooled() -> int:
    """Signed webhooks waiting in the spool (``channels.spool``; none on PostgreSQL)."""
    from atiende.messaging.channels import spool

    into = spool.directory()
    return len(list((into / "new").glob("*" + spool.SUFFIX))) if into is not None else 0


def in_process(key: str, count: int, senders: int, *, profile: bool = False) -> list[Figure]:
    """``count`` webhooks through Django's handler, then their rows through ``process``."""
    from django.db import connection
    from django.test import Client

    from atiende.messaging.channels import services
    from atiende.messaging.models import ChannelPayload, ChannelPayloadState

    payloads = webhooks(random.Random(99), senders, f"{int(time.time())}ip")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT="facebookexternalua")
    first = ChannelPayload.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    client.get("/hooks/warm-up/")  # imports the URLs and middleware once, untimed (a 404)
    quiet.setLevel(level)
    intake, refused = Timed(profile), 0
    for _ in range(count):
        body, signature = next(payloads)
        response = intake(
            client.post,
            f"/hooks/{key}/",
            body,
            "application/json",
            HTTP_X_HUB_SIGNATURE_256=signature,
        )
        refused += response.status_code != 200
    vendor = {"postgresql": "postgres"}.get(connection.vendor, connection.vendor)
    figures = [
        intake.figure(
            f"webhook in-process ({vendor})",
            unit="requests/s",
            errors=refused,
            target=INTAKE_TARGET,
        )
    ]
    print_figure(figures[0])
    intake.print_profile("webhook through Django's handler")
    left = ChannelPayload.objects.filter(pk__gt=first, state=ChannelPayloadState.RECEIVED)
    expected = left.count() + spooled()  # the embedded database: files until taken in
    processing, finished, failed = Timed(profile), 0, 0
    while batch := processing(services.process_batch):  # as the worker does: many a commit
        finished += len(batch)
        failed += sum(row.state != ChannelPayloadState.PROCESSED for row in batch)
    per_batch = processing.samples
    processing.samples = [sum(per_batch) / max(1, finished)] * finished  # ms per payload
    figure = processing.figure(
        f"process in-process ({vendor}, batches of {services.batch_size()})",
        unit="payloads/s",
        errors=failed + (expected - finished),
        target=PROCESS_TARGET,
    )
    figure.note += (
        f"; {len(per_batch)} batches, median {sorted(per_batch)[len(per_batch) // 2]:.0f} ms"
    )
    figures.append(figure)
    print_figure(figures[1])
    processing.print_profile("services.process_batch")
    return figures
