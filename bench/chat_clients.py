"""The chat bench's clients: visitor and agent sockets, the agent's replies over HTTP, and a
live server of the bench's own for ``--poll`` (``bench/chat.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import REPO, VENV_BIN
from creates import free_port

SITE = "http://shop.bench.test"  # the visitors' page origin, allowed by the widget
REPLY_MARK = re.compile(r"bench-reply-(\d+)")
POLL_SETTINGS = """from atiende.settings import *  # noqa: F403

ATIENDE_REALTIME = {"POLL_SECONDS": %r}
"""


@contextlib.contextmanager
def own_live_server(env: dict[str, str], poll: float) -> Iterator[tuple[int, int]]:
    """uvicorn serving the ASGI app like ``atiende run``'s live server (which cannot be given
    other settings), with Atiende's settings but ``ATIENDE_REALTIME["POLL_SECONDS"] = poll``:
    a settings module written into the bench's data directory; yields (port, pid)."""
    data = Path(env["ATIENDE_DATA_DIR"])
    (data / "poll_settings").mkdir(exist_ok=True)
    (data / "poll_settings" / "bench_poll_settings.py").write_text(POLL_SETTINGS % poll)
    port = free_port()
    argv = [str(VENV_BIN / "python"), "-m", "uvicorn", "atiende.asgi:application"]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--lifespan", "off", "--no-access-log"]
    path = os.pathsep.join([str(REPO / "src"), str(data / "poll_settings")])
    extra = {"DJANGO_SETTINGS_MODULE": "bench_poll_settings"}
    log = (data / "live-poll.log").open("wb")
    process = subprocess.Popen(
        argv,
        env={**os.environ, **env, **extra, "PYTHONPATH": path},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the live server did not start; see {log.name}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def pid_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


# --- the sockets ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Monotonic times, keyed so that both directions can be matched afterwards."""

    sent: dict[str, float] = field(default_factory=dict)  # client id → visitor's send
    acked: dict[str, tuple[int, float]] = field(default_factory=dict)  # → (message id, at)
    to_agent: dict[int, float] = field(default_factory=dict)  # message id → agent's frame
    reply_sent: dict[int, float] = field(default_factory=dict)  # reply n → POST sent
    reply_answered: dict[int, float] = field(default_factory=dict)  # reply n → 201 read
    to_visitor: dict[int, float] = field(default_factory=dict)  # reply n → visitor's frame
    refused: list[str] = field(default_factory=list)
    reply_errors: list[str] = field(default_factory=list)
    agent_frames: dict[str, int] = field(default_factory=dict)


async def visitor_reader(ws: Any, tally: Tally) -> None:
    async for raw in ws:
        frame = json.loads(raw)
        now, kind = time.monotonic(), frame["type"]
        if kind == "ack":
            tally.acked.setdefault(frame["client_id"], (int(frame["id"]), now))
        elif kind in ("messages", "welcome"):
            for line in frame.get("messages", []):
                if line["from"] == "agent" and (mark := REPLY_MARK.search(line["text"])):
                    tally.to_visitor.setdefault(int(mark.group(1)), now)
        elif kind in ("refused", "error", "slow_down"):
            tally.refused.append(json.dumps(frame)[:200])


async def open_visitor(
    live_port: int, public_id: str, n: int, tally: Tally, gate: asyncio.Semaphore
) -> tuple[Any, asyncio.Task[None]]:
    """A visitor's socket after ``hello`` and its first message (which opens its ticket)."""
    from websockets.asyncio.client import connect

    async with gate:
        ws = await connect(
            f"ws://127.0.0.1:{live_port}/ws/chat/{public_id}/",
            origin=SITE,  # type: ignore[arg-type]
            additional_headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) ChatBench/1"},
        )
        hello = {"type": "hello", "token": None, "last_id": None, "language": "es"}
        await ws.send(json.dumps({**hello, "page_url": f"{SITE}/p/{n}", "referrer": ""}))
        while json.loads(await ws.recv())["type"] != "welcome":
            pass
        reader = asyncio.create_task(visitor_reader(ws, tally))
        await send(ws, f"open-{n}", f"Hola, soy el visitante {n}: ¿me ayudan?", tally)
        return ws, reader


async def send(ws: Any, client_id: str, text: str, tally: Tally) -> None:
    tally.sent[client_id] = time.monotonic()
    await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))


async def agent_reader(port: int, live_port: int, session: str, tally: Tally, ready: Any) -> None:
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{live_port}/ws/",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session}"},
    ) as ws:
        await ws.send(json.dumps({"type": "hello", "last_id": None}))
        async for raw in ws:
            frame = json.loads(raw)
            now, kind = time.monotonic(), frame["type"]
            tally.agent_frames[kind] = tally.agent_frames.get(kind, 0) + 1
            if kind == "welcome":
                ready.set()
            elif kind == "message.added":
                tally.to_agent.setdefault(int(frame["message_id"]), now)


def post_reply(port: int, token: str, ticket_id: int, n: int, tally: Tally) -> None:
    """The agent's public reply through a web process (run in a thread)."""
    body = json.dumps({"body": f"Claro, lo miro ahora (bench-reply-{n}).", "public": True})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    tally.reply_sent[n] = time.monotonic()
    try:
        conn.request("POST", f"/api/v1/tickets/{ticket_id}/messages", body=body, headers=headers)
        response = conn.getresponse()
        data, status = response.read(), response.status
    except (OSError, http.client.HTTPException) as error:
        status, data = 0, repr(error).encode()
    finally:
        conn.close()
    if status == 201:
        tally.reply_answered[n] = time.monotonic()
    else:
        tally.reply_errors.append(f"{status}: {data[:200]!r}")


async def paced(rate: float, start: float, stop: float) -> AsyncIterator[int]:
    """Yield 0, 1, 2… at ``rate`` per second from ``start`` until ``stop`` (monotonic)."""
    n = 0
    while (at := start + n / rate) < stop:
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        yield n
        n += 1
