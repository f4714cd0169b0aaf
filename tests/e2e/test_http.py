"""HTTP through the real web server of ``atiende run`` (granian's WSGI server), no browser.

What a WSGI server can get wrong and the in-process test client cannot show: multipart
uploads and streamed downloads of whole files, bodies past the size limit, chunked bodies
without a Content-Length, keep-alive across requests.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from atiende.accounts.services import create_api_token
from atiende.core.actor import Actor
from tests.e2e.conftest import Server
from tests.factories import make_agent, make_group, make_ticket

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4096  # 1 MiB and a bit, every byte value


class Api:
    """One keep-alive connection to the server, with a token."""

    def __init__(self, server: Server, token: str) -> None:
        url = urlsplit(server.url)
        self.conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
        self.auth = {"Authorization": f"Bearer {token}"}

    def send(
        self, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        self.conn.request(method, "/api/v1" + path, body=body, headers={**self.auth, **headers})
        response = self.conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()

    def upload(self, path: str, filename: str, data: bytes) -> tuple[int, Any]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _, answer = self.send(
            "POST", path, body, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        return status, json.loads(answer)


@pytest.fixture
def api(app_server: Server) -> tuple[Api, int]:
    group = make_group()
    agent = make_agent(group)
    _token, plain = create_api_token(Actor.system("test"), user=agent, name="http")
    return Api(app_server, plain), make_ticket(group_id=group.pk).pk


def test_an_upload_comes_back_whole_over_one_keep_alive_connection(api: tuple[Api, int]) -> None:
    client, ticket_id = api
    status, info = client.upload(f"/tickets/{ticket_id}/attachments", "shot.png", PNG)
    assert status == 201, info
    assert info["size"] == len(PNG)
    assert info["sha256"] == hashlib.sha256(PNG).hexdigest()

    status, headers, body = client.send("GET", info["url"].removeprefix("/api/v1"))
    assert status == 200
    assert body == PNG
    assert headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("attachment;")
    assert headers["content-length"] == str(len(PNG))


def test_an_upload_past_the_limit_is_refused_and_the_connection_still_answers(
    api: tuple[Api, int],
) -> None:
    client, ticket_id = api
    too_big = b"x" * (25 * 1024 * 1024 + 1)  # the default ATIENDE_MAX_ATTACHMENT_BYTES + 1
    status, problem = client.upload(f"/tickets/{ticket_id}/attachments", "big.bin", too_big)
    assert status == 413
    assert problem["status"] == 413 and problem["title"]

    status, _, body = client.send("GET", f"/tickets/{ticket_id}")
    assert status == 200 and json.loads(body)["id"] == ticket_id


def send_chunked(client: Api, path: str, payload: bytes, *, chunk: int = 64 * 1024) -> Any:
    """POST ``payload`` with ``Transfer-Encoding: chunked`` and no Content-Length."""
    client.conn.putrequest("POST", "/api/v1" + path)
    for name, value in {**client.auth, "Content-Type": "application/json"}.items():
        client.conn.putheader(name, value)
    client.conn.putheader("Transfer-Encoding", "chunked")
    client.conn.endheaders()
    for start in range(0, len(payload), chunk):
        part = payload[start : start + chunk]
        client.conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
    client.conn.send(b"0\r\n\r\n")
    response = client.conn.getresponse()
    return response.status, json.loads(response.read())


def test_a_chunked_body_without_content_length_is_read_whole(api: tuple[Api, int]) -> None:
    client, _ticket_id = api
    payload = {"subject": "Chunked", "body": "sent in chunks " * 10_000,
               "requester": {"email": "chunky@example.com"}}  # fmt: skip
    status, body = send_chunked(client, "/tickets", json.dumps(payload).encode())
    assert status == 201, body
    assert body["subject"] == "Chunked"


def test_a_chunked_body_past_the_limit_is_refused(api: tuple[Api, int]) -> None:
    client, _ticket_id = api
    too_big = b"x" * (26 * 1024 * 1024 + 1)  # past 25 MiB of attachment + 1 MiB of envelope
    status, problem = send_chunked(client, "/tickets", too_big, chunk=1024 * 1024)
    assert status == 413
    assert problem["type"].endswith("/payload_too_large") and problem["status"] == 413
