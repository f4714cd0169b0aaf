"""Live update latency: from an API create to the ``ticket.created`` frame on open sockets.

    .venv/bin/python bench/realtime.py                 # SQLite (embedded default), 200 tickets
    .venv/bin/python bench/realtime.py --db postgres --tickets 500 --sockets 8

Starts ``atiende run`` (granian's web processes for HTTP, uvicorn for WebSockets, the
task worker and the scheduler) on its own database, opens ``--sockets`` WebSockets as an agent
on the live server's port, then POSTs tickets one at a time, spaced ``--interval`` apart, and
times each ticket from the moment its POST was sent until each socket received it. A web
process serves the API request; the live server learns of it only through the event log, so
the figure is the cross-process delivery the design promises (target: p95 < 1 s).

Measured on our 2-core machine, 100 tickets, 4 sockets, POST sent to frame received: SQLite
median 145 ms, p95 260 ms (the POST itself: median 32 ms, p95 62 ms); PostgreSQL 15 median
176 ms, p95 299 ms. The poll interval (0.25 s) is most of it.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import sys
import time
from pathlib import Path

from common import PG_SERVER, WORK_DIR, Figure, print_figure

AGENT_EMAIL = "realtime-bench@example.com"
PG_DATABASE = "atiende_bench_realtime"  # its own: the 100k fixture stays untouched


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE])
        if found.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def configure(db: str) -> dict[str, str]:
    """Point this process and the server at the realtime bench's own database."""
    env = {
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "ATIENDE_DATA_DIR": str(WORK_DIR / "realtime"),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    if db == "postgres":
        ensure_pg_database()
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.update(env)
    src = str(Path(__file__).resolve().parents[1] / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return env


def prepare() -> tuple[str, str]:
    """Migrate, make an admin with an API token and a signed-in session; return both secrets."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from atiende.accounts.models import Role, User
    from atiende.accounts.services import create_api_token, create_user
    from atiende.core.actor import Actor

    call_command("migrate", interactive=False, verbosity=0)
    system = Actor.system("bench")
    user = User.objects.filter(email=AGENT_EMAIL).first() or create_user(
        system, email=AGENT_EMAIL, password=None, role=Role.ADMIN, name="Realtime Bench"
    )
    _token, plain = create_api_token(system, user=user, name="realtime bench")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    connections.close_all()
    return plain, session


def create(port: int, token: str, n: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps(
        {
            "subject": f"Realtime bench {n}",
            "body": "How fast does this show up?",
            "requester": {"email": f"rt-bench-{n % 50}@example.com"},
        }
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"create failed: {response.status} {data[:200]!r}")
    return int(json.loads(data)["id"])


async def listen(
    port: int, live_port: int, session: str, received: dict[int, float], ready: asyncio.Event
) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{live_port}/ws/",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session}"},
    ) as socket:
        await socket.send(json.dumps({"type": "hello", "last_id": None}))
        async for frame in socket:
            message = json.loads(frame)
            if message["type"] == "welcome":
                ready.set()
            elif message["type"] == "ticket.created":
                received.setdefault(message["ticket_id"], time.monotonic())


async def measure(
    port: int, live_port: int, token: str, session: str, args: argparse.Namespace
) -> Figure:
    inboxes: list[dict[int, float]] = [{} for _ in range(args.sockets)]
    ready = [asyncio.Event() for _ in range(args.sockets)]
    listeners = [
        asyncio.create_task(listen(port, live_port, session, inbox, flag))
        for inbox, flag in zip(inboxes, ready, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(flag.wait() for flag in ready)), timeout=30)
    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}
    answered: dict[int, float] = {}
    rng = random.Random(7)
    for n in range(args.tickets):
        started = time.monotonic()
        ticket_id = await loop.run_in_executor(None, create, port, token, n)
        sent[ticket_id], answered[ticket_id] = started, time.monotonic()
        await asyncio.sleep(args.interval * (0.5 + rng.random()))
    await asyncio.sleep(2.0)
    for task in listeners:
        task.cancel()
    latencies, after_answer, missing = [], [], 0
    for inbox in inboxes:
        for ticket_id, at in sent.items():
            if ticket_id in inbox:
                latencies.append((inbox[ticket_id] - at) * 1000)
                after_answer.append((inbox[ticket_id] - answered[ticket_id]) * 1000)
            else:
                missing += 1
    print_figure(
        Figure.from_samples(
            "POST /tickets answered", [(answered[k] - sent[k]) * 1000 for k in sent]
        )
    )
    print_figure(Figure.from_samples("answer → ticket.created", after_answer))
    figure = Figure.from_samples(
        f"POST → ticket.created ({args.sockets} sockets)",
        latencies,
        errors=missing,
        note=f"{args.tickets} tickets; {missing} deliveries missing",
    )
    figure.check(p95_below=1000)
    return figure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.1, help="mean seconds between creates")
    args = parser.parse_args(argv)
    env = configure(args.db)
    token, session = prepare()

    from creates import server

    (WORK_DIR / "realtime").mkdir(parents=True, exist_ok=True)
    print(f"Live update latency on {args.db}: atiende run (web + live + worker + scheduler)")
    with server("realtime", env) as (port, live_port, _server_pid):
        figure = asyncio.run(measure(port, live_port, token, session, args))
    print_figure(figure)
    return 0 if figure.ok else 1


if __name__ == "__main__":
    sys.exit(main())
