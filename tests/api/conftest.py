from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from atiende.accounts import services as accounts
from atiende.accounts.models import User
from tests.factories import SYSTEM


@dataclass
class ApiClient:
    """A test client speaking JSON with a user's personal token."""

    client: Client
    token: str
    user: User

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, params: Any = None, **headers: str) -> Any:
        return self.client.get("/api/v1" + path, params or {}, headers=self.headers(headers))

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            "/api/v1" + path,
            body or {},
            content_type="application/json",
            headers=self.headers(headers),
        )

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.patch(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers(headers)
        )

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.put(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers(headers)
        )

    def delete(self, path: str, **headers: str) -> Any:
        return self.client.delete("/api/v1" + path, headers=self.headers(headers))

    def upload(self, path: str, name: str, data: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(
            "/api/v1" + path, {"file": SimpleUploadedFile(name, data)}, headers=self.headers()
        )


@pytest.fixture
def as_user() -> Any:
    def make(user: User) -> ApiClient:
        _, token = accounts.create_api_token(SYSTEM, user=user, name="tests")
        return ApiClient(Client(), token, user)

    return make


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("https://")
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body["errors"]}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each schemathesis operation its own node id.

    schemathesis names its items ``test…[GET /api/v1/tickets]`` but leaves every node id the
    bare function name; pytest-xdist's ``--dist loadgroup`` (``make test``) keys work by node
    id, so the 55 operations collapsed into one and only one was ever run in parallel runs.
    """
    from _pytest.nodeid import NodeId  # pytest 9's structured id (pytest is pinned)

    for item in items:
        label = getattr(item, "operation_label", None)
        if label and not item.nodeid.endswith("]"):
            item._id = NodeId.parse(f"{item.nodeid}[{label}]")
