"""Chat tests: the real ASGI application, a widget, and visitor sockets opened on it."""

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

from atiende.accounts.models import Group, User
from atiende.messaging.chat import widgets
from atiende.messaging.models import ChatWidget
from tests.factories import SYSTEM
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.conftest import FAST, session_cookie

SITE = "https://shop.example.com"


@pytest.fixture(autouse=True)
def _fast_polling(settings: LazySettings) -> None:
    settings.ATIENDE_REALTIME = dict(FAST)


@pytest_asyncio.fixture
async def thread_connections() -> Any:
    """Close the database connections of the thread that ran sync code (PostgreSQL refuses to
    drop a test database with connections open)."""
    yield
    await database_sync_to_async(connections.close_all)()


def make_widget(group: Group | None = None, **fields: Any) -> ChatWidget:
    fields.setdefault("allowed_origins", [SITE])
    return widgets.create_widget(
        SYSTEM, name="Shop", group_id=group.pk if group else None, **fields
    )


async def visitor_socket(
    widget: ChatWidget,
    *,
    origin: str = SITE,
    user: User | None = None,
    host: str = "help.example.org",
) -> WebsocketCommunicator:
    from atiende.asgi import application

    headers = [
        (b"origin", origin.encode()),
        (b"host", host.encode()),
        (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Chrome/130 TestBrowser"),
    ]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    return WebsocketCommunicator(application, f"/ws/chat/{widget.public_id}/", headers=headers)


async def receive_type(comm: WebsocketCommunicator, *types: str, timeout: float = 3.0) -> Any:
    """The next frame of one of ``types``, skipping others; fails after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, f"no {types} frame within {timeout} s"
        frame = json.loads(await comm.receive_from(timeout=left))
        if frame["type"] in types:
            return frame


@pytest.fixture
def visit(thread_connections: None) -> Callable[..., Any]:
    """Open a visitor's socket and say hello; returns (communicator, welcome frame)."""

    async def open_socket(
        widget: ChatWidget,
        *,
        token: str | None = None,
        last_id: int | None = None,
        user: User | None = None,
        page_url: str = f"{SITE}/pricing",
    ) -> tuple[WebsocketCommunicator, Any]:
        comm = await visitor_socket(widget, user=user)
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to(
            {
                "type": "hello",
                "token": token,
                "last_id": last_id,
                "page_url": page_url,
                "referrer": "https://www.search.example/?q=shop",
                "language": "es-ES",
            }
        )
        return comm, await receive_type(comm, "welcome")

    return open_socket


async def receive_text(comm: WebsocketCommunicator, text: str, timeout: float = 3.0) -> Any:
    """The first ``messages`` frame holding a message with ``text``, skipping others."""
    while True:
        frame = await receive_type(comm, "messages", timeout=timeout)
        if any(m["text"] == text for m in frame["messages"]):
            return frame
