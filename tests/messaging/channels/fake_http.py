"""The generic part of the fake provider APIs: a recording HTTP server on loopback.

`FakeApi` is a stdlib HTTP server in a thread. It records every request (`requests`, as
`Recorded`) and answers what its subclass says the real API answers (`respond`) — unless told
to answer something else first (`answer_next`) or to hang (`hang_next`, longer than a client's
time-out). `fake_graph`, `fake_telegram` and `fake_twilio` build on it; `deliver` sends an
adapter's `ProviderRequest` over HTTP as the delivery does; `running` makes a fixture of a fake.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import httpx

from atiende.messaging.channels.contract import ProviderRequest, ProviderResponse


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: Any = None  # the parsed JSON body, when it was JSON
    form: dict[str, list[str]] = field(default_factory=dict)  # the parsed form body
    # The file fields of a multipart body (its other fields are in ``form``).
    files: dict[str, list[Upload]] = field(default_factory=dict)


@dataclass(frozen=True)
class Upload:
    """One file of a ``multipart/form-data`` body, as the fake parsed it."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, value: object, headers: Mapping[str, str] | None = None) -> Answer:
        return cls(
            status,
            json.dumps(value).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


@dataclass(frozen=True)
class _Scripted:
    answer: Answer | None  # None: what `respond` says
    delay: float = 0.0


class FakeApi:
    """A loopback HTTP API: subclasses say what the real one answers (`respond`)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[_Scripted] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_request(self) -> None:
                api._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_request  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output clean

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that timed out and went away

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # a hanging answer returns at once
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def answer_next(
        self,
        status: int,
        body: object = b"",
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """The next ``times`` requests get ``status`` and ``body`` (bytes, or JSON); then what
        `respond` says again."""
        if isinstance(body, bytes):
            answer = Answer(status, body, dict(headers or {}))
        else:
            answer = Answer.json(status, body, headers)
        with self._lock:
            self._script.extend([_Scripted(answer)] * times)

    def hang_next(self, seconds: float = 30.0, *, times: int = 1) -> None:
        """The next ``times`` requests get no answer for ``seconds`` (or until `stop`)."""
        with self._lock:
            self._script.extend([_Scripted(None, seconds)] * times)

    def respond(self, request: Recorded) -> Answer:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = _recorded(handler, body)
        with self._lock:
            self.requests.append(request)
            scripted = self._script.popleft() if self._script else _Scripted(None)
        if scripted.delay:
            self._release.wait(scripted.delay)
        write_answer(handler, scripted.answer or self.respond(request))


def write_answer(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
    """Send ``answer`` back on ``handler``'s connection (unless the client has gone)."""
    try:
        handler.send_response(answer.status)
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(answer.body)))
        handler.end_headers()
        handler.wfile.write(answer.body)
    except OSError:
        pass  # the client gave up waiting


def _recorded(handler: BaseHTTPRequestHandler, body: bytes) -> Recorded:
    parts = urlsplit(handler.path)
    headers = {name.lower(): value for name, value in handler.headers.items()}
    content_type = headers.get("content-type", "").split(";")[0].strip()
    parsed: Any = None
    form: dict[str, list[str]] = {}
    if content_type == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    elif content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    files: dict[str, list[Upload]] = {}
    if content_type == "multipart/form-data":
        form, files = parse_multipart(headers.get("content-type", ""), body)
    return Recorded(
        method=handler.command,
        path=parts.path,
        query=parse_qs(parts.query),
        headers=headers,
        body=body,
        json=parsed,
        form=form,
        files=files,
    )


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, list[str]], dict[str, list[Upload]]]:
    """The fields and files of a ``multipart/form-data`` body, read by the standard
    library's MIME parser (not by our encoder): a malformed body gives neither."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, list[str]] = {}
    files: dict[str, list[Upload]] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
        else:
            upload = Upload(filename, part.get_content_type(), data)
            files.setdefault(name, []).append(upload)
    return fields, files


def running[Api: FakeApi](api: Api) -> Iterator[Api]:
    """``api`` started for a test and stopped after it: ``yield from running(FakeX())``."""
    api.start()
    try:
        yield api
    finally:
        api.stop()


def deliver(request: ProviderRequest, *, timeout: float = 5.0) -> ProviderResponse:
    """Send ``request`` over HTTP as the delivery will, and keep the answer raw."""
    answer = httpx.request(
        request.method,
        request.url,
        headers=dict(request.headers),
        content=request.body,
        timeout=timeout,
    )
    return ProviderResponse(status=answer.status_code, headers=answer.headers, body=answer.content)


STREAM_CHUNK = 64 * 1024


class StreamingApi(FakeApi):
    """A fake that also serves big bodies as a stream: ``huge`` paths announce their whole
    ``Content-Length``, ``unsized`` ones none (the end of the body is the end of the
    connection, HTTP/1.0). Chunks are written for as long as the client reads; a client that
    gives up closes the connection and the fake stops. ``streamed_to`` says how much was
    written, once the serving thread has seen the close."""

    def __init__(self) -> None:
        super().__init__()
        self.huge: dict[str, int] = {}  # path → announced (and streamed) size
        self.unsized: dict[str, int] = {}  # path → size streamed without Content-Length
        self.streamed: dict[str, int] = {}  # path → bytes written to the client
        self._done = threading.Condition()

    def stream(
        self, handler: BaseHTTPRequestHandler, path: str, content_type: str, head: bytes
    ) -> bool:
        """Stream ``path`` if it is ``huge`` or ``unsized``, starting with ``head`` (a real
        file's first bytes); False when it is neither (the caller serves it)."""
        size = self.huge.get(path) or self.unsized.get(path)
        if not size:
            return False
        with self._lock:
            self.requests.append(_recorded(handler, b""))
        written = 0
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            if path in self.huge:
                handler.send_header("Content-Length", str(size))
            handler.end_headers()
            handler.wfile.write(head)
            written = len(head)
            while written < size:
                chunk = b"\x00" * min(STREAM_CHUNK, size - written)
                handler.wfile.write(chunk)
                written += len(chunk)
        except OSError:
            pass  # the client stopped reading: what a refusal looks like from here
        finally:
            with self._done:
                self.streamed[path] = written
                self._done.notify_all()
        return True

    def streamed_to(self, path: str, timeout: float = 10.0) -> int:
        """The bytes written for ``path`` once the fake has stopped streaming it: a client's
        close reaches the serving thread a moment after the client has moved on."""
        with self._done:
            if not self._done.wait_for(lambda: path in self.streamed, timeout):
                raise AssertionError(f"{path} is still being streamed after {timeout} s")
            return self.streamed[path]
