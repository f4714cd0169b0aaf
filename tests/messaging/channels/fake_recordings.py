"""Call recordings served on loopback: Twilio's Recording media and a PBX's recordings folder.

`FakeRecordings` answers
- ``GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3`` (or ``.wav``) as
  Twilio does with "HTTP Basic Authentication for media" on: the account's SID and auth token,
  else ``401`` with Twilio's error 20003; an unknown recording ``404`` (20404);
- ``GET /recordings/{name}``: a PBX's folder served over HTTP, no authentication.

``huge`` recordings are streamed: the headers announce their full ``Content-Length`` and the
body is written in chunks for as long as the client reads (a client that gives up closes the
connection, and the fake stops). ``unsized`` ones are streamed with no ``Content-Length`` at
all, the end of the body being the end of the connection (HTTP/1.0), to catch a client that
trusts the header alone.
"""

from __future__ import annotations

import base64
import io
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from tests.messaging.channels.fake_http import Answer, Recorded, StreamingApi, running
from tests.messaging.channels.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, twilio_error


def wav_bytes(seconds: float = 1.0) -> bytes:
    """A real (silent-ish) WAV file: what a PBX's MixMonitor writes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * int(8000 * seconds))
    return buffer.getvalue()


def mp3_bytes() -> bytes:
    """The start of an MP3 file (ID3 header and a frame header), as Twilio serves ``.mp3``."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 4000


class FakeRecordings(StreamingApi):
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.files: dict[str, bytes] = {}  # path → body

    def twilio_path(self, recording_sid: str, extension: str = ".mp3") -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Recordings/{recording_sid}{extension}"

    def twilio_url(self, recording_sid: str) -> str:
        """The ``RecordingUrl`` Twilio posts: no extension (the desk asks for ``.mp3``)."""
        return self.base_url + self.twilio_path(recording_sid, "")

    def respond(self, request: Recorded) -> Answer:
        if request.path.startswith("/2010-04-01/"):
            credentials = base64.b64encode(
                f"{self.account_sid}:{self.auth_token}".encode()
            ).decode()
            if request.headers.get("authorization") != f"Basic {credentials}":
                return twilio_error(401, 20003, "Authenticate")
        body = self.files.get(request.path)
        if body is None:
            return twilio_error(404, 20404, "The requested resource was not found")
        content_type = "audio/mpeg" if request.path.endswith(".mp3") else "audio/x-wav"
        return Answer(200, body, {"Content-Type": content_type})

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        if not self.stream(handler, handler.path.split("?", 1)[0], "audio/x-wav", wav_bytes(0.1)):
            super()._serve(handler)


@pytest.fixture(name="recordings_server")
def recordings_server_fixture() -> Iterator[FakeRecordings]:
    yield from running(FakeRecordings())
