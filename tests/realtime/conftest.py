"""Socket tests: the real ASGI application, signed in through a real session cookie."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from django.conf import LazySettings
from django.db import connections
from django.test import Client

from atiende.accounts.models import User
from tests.realtime.communicator import WebsocketCommunicator

ORIGIN = (b"origin", b"http://127.0.0.1")
# Fast enough that a test never waits long; the production default is 0.25 s.
FAST = {
    "POLL_SECONDS": 0.02,
    "VIEWER_REFRESH_SECONDS": 0.1,
    "CLIENT_GAP_SECONDS": 0.0,
}


class HandClock:
    """A monotonic clock that moves only when the test says so (``conf.use_clock``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _fast_polling(settings: LazySettings) -> None:
    settings.ATIENDE_REALTIME = dict(FAST)


def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def communicator(user: User | None = None) -> WebsocketCommunicator:
    from atiende.asgi import application

    headers = [ORIGIN]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


@pytest_asyncio.fixture
async def thread_connections() -> Any:
    """Close the database connections of the thread that runs sync code for async tests.

    PostgreSQL refuses to drop the test database while they are open.
    """
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def connect(thread_connections: None) -> Callable[..., Any]:
    """Open a socket as ``user`` and say hello; returns (communicator, welcome message)."""

    async def open_socket(
        user: User, last_id: int | None = None
    ) -> tuple[WebsocketCommunicator, Any]:
        comm = await communicator(user)
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "hello", "last_id": last_id})
        welcome = await receive_type(comm, "welcome", "reload")
        return comm, welcome

    return open_socket


async def receive_type(comm: WebsocketCommunicator, *types: str, timeout: float = 3.0) -> Any:
    """The next message of one of ``types``, skipping others; fails after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no {types} message within {timeout} s"
        message = json.loads(await comm.receive_from(timeout=left))
        if message["type"] in types:
            return message


async def messages_until(
    comm: WebsocketCommunicator, kind: str, *, timeout: float = 3.0, **match: Any
) -> list[Any]:
    """Every message up to and including the first of type ``kind`` whose fields equal
    ``match``: the explicit signal that whatever came before it has been delivered (live
    events arrive in log order), so a test can say what did *not* arrive without waiting."""
    seen: list[Any] = []
    while True:
        message = await receive_type(comm, *_ALL_TYPES, timeout=timeout)
        seen.append(message)
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return seen


_ALL_TYPES = (
    "ticket.created",
    "ticket.updated",
    "message.added",
    "notification",
    "presence",
    "welcome",
    "reload",
    "error",
)
