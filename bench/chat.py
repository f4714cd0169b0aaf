"""Chat round trip: visitor's message → the agent's live socket, with many chats open.
Prints figures, asserts nothing.

    .venv/bin/python bench/chat.py                          # SQLite, 200 chats, 30 msg/s, 30 s
    .venv/bin/python bench/chat.py --db postgres
    .venv/bin/python bench/chat.py --chats 20 --rate 10 --seconds 10

Each run starts from an empty database (SQLite under $TMPDIR/atiende-bench/chat, PostgreSQL
database ``atiende_bench_chat`` on 127.0.0.1:5432): a group, an agent in it (signed in, with
an API token) and a chat widget routing to it, all through the services; then ``atiende run``
(granian's web processes, uvicorn's live server, the task worker, the scheduler, as deployed).

1. ``--chats`` visitors open ``/ws/chat/<public id>/`` on the live port with an allowed
   ``Origin``, say ``hello`` and send a first message: that many open chat tickets. The agent
   opens the workspace socket ``/ws/`` (session cookie), which gets ``message.added`` for the
   group's tickets.
2. For ``--seconds`` after ``--warmup``, visitors in turn send messages at ``--rate`` per
   second overall. Per message: visitor's send → ``ack`` (the write in the live server) and
   visitor's send → the agent's ``message.added`` for that message id (target: p95 < 200 ms).
3. Meanwhile, at ``--reply-rate``, the agent replies through the running server
   (``POST /api/v1/tickets/<id>/messages``, a web process) and the visitor's socket times the
   reply's arrival (it comes through the live event log and the chat relay).

CPU ms per message by process and the machine's load are printed: a busy machine shows up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from chat_clients import (
    SITE,
    Tally,
    agent_reader,
    open_visitor,
    own_live_server,
    paced,
    pid_ticks,
    post_reply,
    send,
)
from common import PG_SERVER, REPO, WORK_DIR, Figure, fmt, percentile, print_figure
from creates import cpu_times, process_ticks, server

PG_DATABASE = "atiende_bench_chat"  # its own: the 100k fixture stays untouched
AGENT_EMAIL = "chat-bench-agent@example.com"
TARGET_P95_MS = 200.0
GRACE_SECONDS = 3.0  # after the last send, for the last deliveries
SLICE_SECONDS = 5.0  # the latency timeline's step
SETTLED_MS = 150.0  # a probe acknowledged this fast: the opening is worked off


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--chats", type=int, default=200, help="visitor sockets, one chat each")
    parser.add_argument("--seconds", type=float, default=30.0, help="timed messages")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed messages first")
    parser.add_argument("--rate", type=float, default=30.0, help="visitor messages/s overall")
    parser.add_argument("--reply-rate", type=float, default=5.0, help="agent replies/s (0: none)")
    parser.add_argument("--open-concurrency", type=int, default=10, help="chats opened at once")
    parser.add_argument(
        "--poll",
        type=float,
        default=None,
        help="what-if: sockets go to a live server started by the bench with this "
        "ATIENDE_REALTIME POLL_SECONDS (default: atiende run's own, 0.25 s)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the bench and its server at this niceness (e.g. -10 as root: ahead of other "
        "work on a shared machine)",
    )
    args = parser.parse_args(argv)
    if args.rate / args.chats > 0.9:  # the widget's limiter: 10 at once, then 1/s per visitor
        parser.error("--rate / --chats must stay under 1 message/s per visitor (the limiter)")
    return args


# --- the database, the agent and the widget ---------------------------------------------------


def configure(db: str) -> dict[str, str]:
    """Point this process and the server at the chat bench's own, emptied database."""
    data = WORK_DIR / ("chat" if db == "sqlite" else "chat-postgres")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env = {
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "ATIENDE_DATA_DIR": str(data),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "ATIENDE_API_RATE_LIMIT": "1000000000",  # the agent's replies are not the limiter's
        "ATIENDE_SMTPD": "off",  # no SMTP receiver competing for port 2525 with other runs
    }
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("ATIENDE_TASKS_IMMEDIATE", None)
    os.environ.update(env)
    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return env


@dataclass(frozen=True)
class Setup:
    public_id: str  # the widget's
    token: str  # the agent's API token
    session: str  # the agent's session cookie


def prepare() -> Setup:
    """Migrate; make the group, its agent (API token, signed-in session) and the widget."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from atiende.accounts.models import Role
    from atiende.accounts.services import create_api_token, create_group, create_user
    from atiende.core.actor import Actor
    from atiende.messaging.chat.widgets import create_widget

    call_command("migrate", interactive=False, verbosity=0)
    system = Actor.system("bench")
    agent = create_user(system, email=AGENT_EMAIL, role=Role.AGENT, name="Chat Bench Agent")
    group = create_group(system, name="Chat bench", member_ids=[agent.pk])
    widget = create_widget(
        system, name="Bench shop", group_id=group.pk, allowed_origins=[SITE], prechat_fields=[]
    )
    _token, plain = create_api_token(system, user=agent, name="chat bench")
    client = Client()
    client.force_login(agent)
    session = client.cookies["sessionid"].value
    connections.close_all()  # the server gets the database to itself
    return Setup(widget.public_id, plain, session)


def ticket_ids(message_ids: list[int]) -> dict[int, int]:
    """Each first message's ticket (read from the database: the chats' tickets)."""
    from django.db import connections

    from atiende.tickets.models import Message

    found = dict(Message.objects.filter(pk__in=message_ids).values_list("pk", "ticket_id"))
    connections.close_all()
    return found


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Window:
    warm_until: float
    stop_at: float
    ticks: tuple[dict[str, int], dict[str, int]] = ({}, {})
    busy: float = 0.0  # share of the machine's CPU in use during the window (all processes)
    load: tuple[float, float] = (0.0, 0.0)  # 1-min load average at its start and end


async def run(ports: tuple[int, int, int, int], setup: Setup, args: argparse.Namespace) -> Any:
    """``ports``: HTTP port, live port, the server's pid, the bench's own live server's (or 0)."""
    port, live_port, server_pid, own_live = ports

    def ticks() -> dict[str, int]:
        counted = process_ticks(server_pid)
        counted["live"] += pid_ticks(own_live) if own_live else 0
        return counted

    tally, ready = Tally(), asyncio.Event()
    agent = asyncio.create_task(agent_reader(port, live_port, setup.session, tally, ready))
    await asyncio.wait_for(ready.wait(), timeout=30)
    gate, opened_at = asyncio.Semaphore(args.open_concurrency), time.monotonic()
    opened = await asyncio.gather(
        *(open_visitor(live_port, setup.public_id, n, tally, gate) for n in range(args.chats))
    )
    sockets = [ws for ws, _reader in opened]
    firsts = [f"open-{n}" for n in range(args.chats)]
    while any(c not in tally.acked for c in firsts) and time.monotonic() - opened_at < 120:
        await asyncio.sleep(0.1)
    print(
        f"  {args.chats} chats opened in {time.monotonic() - opened_at:.1f} s "
        f"({sum(c in tally.acked for c in firsts)} first messages acknowledged)",
        flush=True,
    )
    loop = asyncio.get_running_loop()
    first_ids = [tally.acked[c][0] for c in firsts if c in tally.acked]
    tickets = list((await loop.run_in_executor(None, ticket_ids, first_ids)).values())
    await settle(sockets[0], tally)

    start = time.monotonic() + 0.2
    window = Window(start + args.warmup, start + args.warmup + args.seconds)

    async def visitors() -> None:
        async for n in paced(args.rate, start, window.stop_at):
            text = f"Mensaje {n} del visitante: ¿sigue ahí? bench-{n}"
            await send(sockets[n % len(sockets)], f"m{n}", text, tally)

    async def replies() -> None:
        if args.reply_rate <= 0 or not tickets:
            return
        async for n in paced(args.reply_rate, start, window.stop_at):
            ticket = tickets[n % len(tickets)]
            loop.run_in_executor(None, post_reply, port, setup.token, ticket, n, tally)

    async def sample() -> None:
        await asyncio.sleep(max(0.0, window.warm_until - time.monotonic()))
        busy0, total0 = cpu_times()
        ticks0, load0 = ticks(), os.getloadavg()[0]
        await asyncio.sleep(max(0.0, window.stop_at - time.monotonic()))
        busy1, total1 = cpu_times()
        window.ticks = (ticks0, ticks())
        window.busy = (busy1 - busy0) / max(1, total1 - total0)
        window.load = (load0, os.getloadavg()[0])

    await asyncio.gather(visitors(), replies(), sample())
    await asyncio.sleep(GRACE_SECONDS)
    for ws, reader in opened:
        reader.cancel()
        await ws.close()
    agent.cancel()
    return tally, window


async def settle(ws: Any, tally: Tally, *, limit: float = 180.0) -> None:
    """Wait until the live server has worked off the opening (its after-effects: the relay's
    catch-ups, the bot's turn, the agent's events queue behind the same database thread): a
    probe message a second until one is acknowledged within ``SETTLED_MS``."""
    began = time.monotonic()
    for n in range(int(limit)):
        await send(ws, f"probe-{n}", f"¿Sigue ahí? (prueba {n})", tally)
        await asyncio.sleep(1.0)
        acked = tally.acked.get(f"probe-{n}")
        if acked and (acked[1] - tally.sent[f"probe-{n}"]) * 1000 < SETTLED_MS:
            break
    print(f"  settled after {time.monotonic() - began:.1f} s ({n + 1} probes)", flush=True)


def spread(name: str, samples: list[float], **kwargs: Any) -> Figure:
    """A figure with p99 and max in its note (the Figure keeps median and p95)."""
    ordered = sorted(samples)
    top = ordered[-1] if ordered else float("nan")
    tail = f"p99 {fmt(percentile(ordered, 0.99))} ms, max {fmt(top)} ms"
    note = kwargs.pop("note", "")
    figure = Figure.from_samples(
        name, ordered, note=f"{tail}{'; ' + note if note else ''}", **kwargs
    )
    figure.extra["p99_ms"] = percentile(ordered, 0.99)
    figure.extra["max_ms"] = ordered[-1] if ordered else float("nan")
    return figure


def slices(tally: Tally, timed: dict[str, float]) -> str:
    """Median visitor → agent latency per slice of the window: a queue that grows shows here."""
    if not timed:
        return "-"
    first = min(timed.values())
    by_slice: dict[int, list[float]] = {}
    for client_id, at in timed.items():
        acked = tally.acked.get(client_id)
        seen = tally.to_agent.get(acked[0]) if acked else None
        if seen is not None:
            by_slice.setdefault(int((at - first) // SLICE_SECONDS), []).append((seen - at) * 1000)
    return ", ".join(f"{statistics.median(v):.0f}" for _k, v in sorted(by_slice.items())) + " ms"


def figures(tally: Tally, window: Window, args: argparse.Namespace) -> list[Figure]:
    timed = {c: at for c, at in tally.sent.items() if c.startswith("m") and window.warm_until <= at}
    acks, to_agent, after_ack, missing = [], [], [], 0
    for client_id, at in timed.items():
        acked = tally.acked.get(client_id)
        seen = tally.to_agent.get(acked[0]) if acked else None
        if acked is None or seen is None:
            missing += 1
            continue
        acks.append((acked[1] - at) * 1000)
        to_agent.append((seen - at) * 1000)
        after_ack.append((seen - acked[1]) * 1000)
    replies = [n for n, at in tally.reply_sent.items() if window.warm_until <= at]
    answered = [
        (tally.reply_answered[n] - tally.reply_sent[n]) * 1000
        for n in replies
        if n in tally.reply_answered
    ]
    to_visitor = [
        (tally.to_visitor[n] - tally.reply_sent[n]) * 1000 for n in replies if n in tally.to_visitor
    ]
    lost = sum(1 for n in replies if n not in tally.to_visitor)

    done = max(1, len(timed) + len(replies))
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    before, after = window.ticks
    per = {k: (after[k] - before[k]) * tick_ms / done for k in before}
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in per.items() if v >= 0.05)
    out = [
        spread("visitor send → ack", acks),
        spread("ack → agent message.added", after_ack),
        spread(
            f"visitor → agent screen ({args.chats} chats)",
            to_agent,
            errors=missing + len(tally.refused),
            note=f"{len(timed)} sent at {args.rate:g}/s, {missing} missing, "
            f"{len(tally.refused)} refused",
            extra={"cpu_ms": per, "load": window.load, "busy": window.busy},
        ),
    ]
    out[-1].check(p95_below=TARGET_P95_MS)
    if replies:
        out.append(spread("agent reply POST answered", answered, errors=len(tally.reply_errors)))
        out.append(
            spread("agent reply POST → visitor", to_visitor, errors=lost, note=f"{lost} missing")
        )
    for figure in out:
        print_figure(figure)
    print(
        f"  visitor → agent median by {SLICE_SECONDS:g} s slice: {slices(tally, timed)}", flush=True
    )
    print(
        f"  CPU ms per message ({len(timed)} visitor messages + {len(replies)} replies): {cpu}; "
        f"machine {window.busy:.0%} busy, load average {window.load[0]:.1f} → "
        f"{window.load[1]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    print(f"  agent socket frames: {dict(sorted(tally.agent_frames.items()))}", flush=True)
    for line in [*tally.refused[:3], *tally.reply_errors[:3]]:
        print(f"    error: {line}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = configure(args.db)
    setup = prepare()
    print(
        f"Chat round trip on {args.db}: atiende run (granian, uvicorn, worker, scheduler); "
        f"{args.chats} chats, {args.rate:g} visitor messages/s and {args.reply_rate:g} agent "
        f"replies/s for {args.seconds:.0f} s after {args.warmup:.0f} s warm-up; "
        f"load average {os.getloadavg()[0]:.1f} before start",
        flush=True,
    )
    name = env["ATIENDE_DATA_DIR"].rsplit("/", 1)[-1]
    if args.nice:
        os.nice(args.nice)  # inherited by the servers started below
    with server(name, env) as (port, live_port, server_pid), contextlib.ExitStack() as stack:
        own_live = 0
        if args.poll is not None:
            live_port, own_live = stack.enter_context(own_live_server(env, args.poll))
            print(f"  sockets on the bench's own live server, POLL_SECONDS {args.poll:g}")
        ports = (port, live_port, server_pid, own_live)
        tally, window = asyncio.run(run(ports, setup, args))
    results = figures(tally, window, args)
    missed = [figure.name for figure in results if figure.ok is False]
    print(f"Missed: {', '.join(missed)}" if missed else "Every target met.", flush=True)
    return 0  # figures, not a test: a miss is read, not failed


if __name__ == "__main__":
    sys.exit(main())
