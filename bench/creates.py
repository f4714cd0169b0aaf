"""Ticket creation through the real HTTP server at concurrency 8.

Starts ``atiende run`` (granian's WSGI server with its default processes and threads
for HTTP, uvicorn for WebSockets, the task worker and the scheduler, exactly as deployed
embedded) on a free port against the bench
database, then 8 client threads, each with one keep-alive connection, POST /api/v1/tickets
for a fixed time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common import VENV_BIN, Figure, data_dir, print_figure
from fixture import ADMIN_EMAIL, CUSTOMER_DOMAIN, CUSTOMERS, ENGLISH, NEW_CUSTOMER_DOMAIN, SPANISH

CONCURRENCY = 8
TARGET_RATE = 300.0
START_TIMEOUT = 120.0
NEW_CUSTOMER_SHARE = 0.1


def cpu_times() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    return sum(values) - values[3] - values[4], sum(values)


SERVER_PARTS = (("granian", "web"), ("uvicorn", "live"), ("cli worker", "worker"))


def process_ticks(server: int) -> dict[str, int]:
    """CPU jiffies used so far, summed by kind: postgres, this process (the clients), and the
    server's processes (``server`` and its descendants: the web workers, the live server, the
    task worker, the rest); other work on the machine is not counted."""
    me = os.getpid()
    ticks: dict[int, int] = {}
    parents: dict[int, int] = {}
    out = {"postgres": 0, "clients": 0, "web": 0, "live": 0, "worker": 0, "server": 0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        pid, comm = int(entry.name), stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])  # utime + stime
        if pid == me:
            out["clients"] += used
        elif comm.startswith("postgres"):
            out["postgres"] += used
        else:
            ticks[pid], parents[pid] = used, int(fields[1])
    for pid, used in ticks.items():
        ancestor = pid
        while ancestor not in (server, 0, 1) and ancestor in parents:
            ancestor = parents[ancestor]
        if ancestor == server:
            out[_server_part(pid)] += used
    return out


def _server_ticks(server: int) -> int:
    ticks = process_ticks(server)
    return sum(ticks[part] for _marker, part in SERVER_PARTS) + ticks["server"]


def _server_part(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "server"
    return next((part for marker, part in SERVER_PARTS if marker in command), "server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(db: str, env: dict[str, str]) -> Iterator[tuple[int, int, int]]:
    """``atiende run`` on free ports, once every one of its processes has started; yields
    (HTTP port, WebSocket port, server's pid). Stopped with SIGTERM to its process group at
    the end."""
    port, live_port = free_port(), free_port()
    log_path = data_dir(db) / "server.log"
    with log_path.open("wb") as log:
        argv = [str(VENV_BIN / "atiende"), "run", "--host", "127.0.0.1"]
        process = subprocess.Popen(
            [*argv, "--port", str(port), "--live-port", str(live_port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        try:
            _wait_until_up(process, port, log_path)
            _wait_until_settled(process.pid)
            yield port, live_port, process.pid
        finally:
            _stop(process)


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early; see {log_path}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")  # allauth's (/login/ redirects)
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.25)
    raise RuntimeError(f"the server did not answer /accounts/login/ within {START_TIMEOUT:.0f} s")


def _wait_until_settled(server: int, *, idle_share: float = 0.1, window: float = 0.5) -> None:
    """Wait until the server's processes are done starting (their CPU below ``idle_share`` of
    a core over ``window``). The first worker answers long before the last one has imported the
    app; clients connecting then would all land on the early workers (keep-alive) while the
    others' start-up is counted as the creates' CPU."""
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + START_TIMEOUT
    before = _server_ticks(server)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = _server_ticks(server)
        if (now - before) * tick_s < idle_share * window:
            return
        before = now


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Worker:
    """One client thread's results."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)


def _payloads(rng: random.Random, worker: int) -> Iterator[bytes]:
    words = ENGLISH + SPANISH
    n = 0
    while True:
        n += 1
        if rng.random() < NEW_CUSTOMER_SHARE:
            email = f"w{worker}-{n}-{rng.randrange(10**9)}@{NEW_CUSTOMER_DOMAIN}"
        else:
            email = f"customer{rng.randrange(CUSTOMERS):05d}@{CUSTOMER_DOMAIN}"
        subject = " ".join(rng.choices(words, k=rng.randint(3, 8))).capitalize()
        body = " ".join(rng.choices(words, k=rng.randint(20, 90)))
        yield json.dumps({"subject": subject, "body": body, "requester": {"email": email}}).encode()


def _client(
    port: int, token: str, worker: int, start: float, warm_until: float, stop_at: float, out: Worker
) -> None:
    rng = random.Random(worker)
    payloads = _payloads(rng, worker)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < start:
        time.sleep(0.001)
    while (now := time.monotonic()) < stop_at:
        body = next(payloads)
        try:
            conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status, data = 0, repr(error).encode()
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        elapsed = (time.monotonic() - now) * 1000
        if now < warm_until:
            continue
        out.latencies_ms.append(elapsed)
        if status != 201:
            out.errors += 1
            if len(out.first_errors) < 3:
                out.first_errors.append(f"{status}: {data[:300]!r}")
    conn.close()


def measure(
    db: str, env: dict[str, str], *, seconds: float, warmup: float, concurrency: int = CONCURRENCY
) -> Figure:
    from django.db import connections

    from atiende.accounts.models import User
    from atiende.accounts.services import create_api_token
    from atiende.core.actor import Actor
    from atiende.tickets.models import Ticket

    admin = User.objects.get(email=ADMIN_EMAIL)
    _token, plain = create_api_token(Actor.system("bench"), user=admin, name="bench creates")
    before = Ticket.objects.count()
    connections.close_all()  # the server gets the database to itself
    print(
        "Ticket creation over HTTP: atiende run (granian, default processes, worker, scheduler), "
        f"{concurrency} keep-alive clients, {seconds:.0f} s after {warmup:.0f} s warm-up",
        flush=True,
    )
    with server(db, env) as (port, _live_port, server_pid):
        results = [Worker() for _ in range(concurrency)]
        start = time.monotonic() + 0.2
        warm_until, stop_at = start + warmup, start + warmup + seconds
        threads = [
            threading.Thread(
                target=_client, args=(port, plain, i, start, warm_until, stop_at, results[i])
            )
            for i in range(concurrency)
        ]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, warm_until - time.monotonic()))
        busy0, total0 = cpu_times()
        ticks0 = process_ticks(server_pid)
        time.sleep(max(0.0, stop_at - time.monotonic()))
        busy1, total1 = cpu_times()
        ticks1 = process_ticks(server_pid)
        for thread in threads:
            thread.join()
    latencies = [ms for worker in results for ms in worker.latencies_ms]
    errors = sum(worker.errors for worker in results)
    created = Ticket.objects.count() - before
    cpu = (busy1 - busy0) / max(1, total1 - total0)  # server, database and clients together
    # CPU milliseconds per successful create, by kind of process (a jiffy is 10 ms on Linux).
    done = max(1, len(latencies) - errors)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    per_create = {k: (ticks1[k] - ticks0[k]) * tick_ms / done for k in ticks0}
    cpu_note = ", ".join(f"{k} {v:.1f}" for k, v in per_create.items() if v >= 0.05)
    figure = Figure.from_samples(
        f"create POST /tickets (c={concurrency})",
        latencies,
        errors=errors,
        unit="creates/s",
        note=f"CPU {cpu:.0%} busy; CPU ms/create: {cpu_note}; {created:,} created",
        extra={"seconds": seconds, "created": created, "cpu_busy": cpu, "cpu_ms": per_create},
    )
    figure.rate = (len(latencies) - errors) / seconds
    figure.target = f">= {TARGET_RATE:g} creates/s, 0 errors"
    figure.ok = figure.rate >= TARGET_RATE and errors == 0
    print_figure(figure)
    for worker in results:
        for line in worker.first_errors:
            print(f"    error: {line}", flush=True)
    return figure
