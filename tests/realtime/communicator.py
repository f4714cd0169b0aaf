"""A WebSocket test client for the ASGI application.

``channels.testing`` imports daphne at package import, which Atiende does not install (we
serve with uvicorn); this is the same small client on asgiref's ``ApplicationCommunicator``.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from asgiref.testing import ApplicationCommunicator


def _keep_connections() -> None:
    """Channels closes "old" connections around each message; tests keep theirs."""


class WebsocketCommunicator(ApplicationCommunicator):  # type: ignore[misc]  # asgiref untyped here
    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        self.scope = {
            "type": "websocket",
            "path": path,
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
        }
        super().__init__(application, self.scope)

    async def send_input(self, message: dict[str, Any]) -> None:
        with mock.patch("channels.db.close_old_connections", _keep_connections):
            await super().send_input(message)

    async def receive_output(self, timeout: float = 1) -> Any:
        with mock.patch("channels.db.close_old_connections", _keep_connections):
            return await super().receive_output(timeout)

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_from(self, timeout: float = 1) -> str:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        text: str = response["text"]
        return text

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
