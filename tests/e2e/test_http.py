"""HTTP through the real web server of ``atiende run`` (granian's WSGI server), no browser.

What a WSGI server can get wrong and the in-process test client cannot show: multipart
uploads and streamed downloads of whole files, bodies past the size limit, requests without
a Content-Length, keep-alive across requests.
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


def test_a_body_without_content_length_gets_a_clear_answer(api: tuple[Api, int]) -> None:
    client, _ticket_id = api
    payload = json.dumps({"subject": "Chunked", "body": "sent in chunks"}).encode()
    client.conn.putrequest("POST", "/api/v1/tickets")
    for name, value in {**client.auth, "Content-Type": "application/json"}.items():
        client.conn.putheader(name, value)
    client.conn.putheader("Transfer-Encoding", "chunked")
    client.conn.endheaders()
    client.conn.send(f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n\r\n")
    response = client.conn.getresponse()
    body = json.loads(response.read())
    # Either the server hands the body over or the API names what is missing: never a 5xx.
    assert response.status in (201, 422), body
    if response.status == 422:
        assert body["errors"], body
    else:
        assert body["subject"] == "Chunked"
