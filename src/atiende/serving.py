"""How the web processes are started: HTTP by granian's WSGI server, WebSockets by uvicorn.

HTTP requests run Django's WSGI handler in granian's threads (its HTTP/1.1 and HTTP/2 are
Rust); the live socket (``/ws/``, Channels) needs an ASGI server and gets uvicorn on a port of
its own. Pages tell realtime.js that port through ``ATIENDE_LIVE_PORT``; unset, the socket
opens on the page's own origin, as behind a proxy that routes ``/ws/`` to the live servers.
``docs/decisions/0004-http-by-granian-websockets-by-uvicorn.md`` has the measurements.

``atiende run`` and the browser tests start both servers with these command lines.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

WSGI_APP = "atiende.wsgi:application"
ASGI_APP = "atiende.asgi:application"
# Seconds a stopping server lets requests in flight finish.
GRACE_SECONDS = 5


def default_web_workers() -> int:
    """Twice the cores, 2 to 8: each process runs few view threads (``ATIENDE_WEB_THREADS``),
    which contend less for their process's GIL than many threads in few processes
    (docs/performance.md: on 2 cores under uvicorn 2 × 10 threads created 200–245 tickets/s,
    4 × 2 290–360)."""
    return min(8, max(2, 2 * (os.cpu_count() or 1)))


def web_threads() -> int:
    """Threads per web process that run Django views, each with its own database connection.

    Few threads in more processes (``atiende run --workers``) contend less for each process's
    GIL (docs/performance.md); more than one, so a slow request does not hold up its process.
    """
    return max(1, int(os.environ.get("ATIENDE_WEB_THREADS", "2")))


def web_command(host: str, port: int, *, workers: int, threads: int | None = None) -> list[str]:
    """granian serving HTTP through Django's WSGI handler."""
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads or web_threads()),
        "--workers-kill-timeout", str(GRACE_SECONDS), "--no-access-log", "--no-ws",
        WSGI_APP,
    ]  # fmt: skip


def live_command(host: str, port: int) -> list[str]:
    """uvicorn serving the ASGI application, for its WebSockets (it answers HTTP too)."""
    return [
        sys.executable, "-m", "uvicorn", ASGI_APP,
        "--host", host, "--port", str(port),
        "--lifespan", "off", "--no-access-log",
        "--timeout-graceful-shutdown", str(GRACE_SECONDS),
    ]  # fmt: skip


def live_port_setting(value: str | None) -> int | None:
    """``ATIENDE_LIVE_PORT`` as a port number; empty or unset means the page's own origin."""
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or not 0 < int(value) < 65536:
        raise ValueError(f"ATIENDE_LIVE_PORT must be a port number (1-65535), not {value!r}")
    return int(value)


# Room for a multipart envelope around the largest file accepted.
ENVELOPE_BYTES = 1024 * 1024


def whole_bodies(app: WSGIApplication) -> WSGIApplication:
    """Hand Django a chunked request body (no ``Content-Length``) as a body of known length.

    Django's WSGI handler reads ``CONTENT_LENGTH`` bytes, so a chunked body (curl's ``-T -``,
    some HTTP client libraries) arrived empty and the API answered that every field was
    missing. The body is read here, up to the largest upload the settings allow; beyond that
    the answer is 413, as for a body that announces its length.
    """

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit = _body_limit()
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return _too_large(start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return application


def _body_limit() -> int:
    from django.conf import settings

    largest = max(settings.ATIENDE_MAX_ATTACHMENT_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return int(largest) + ENVELOPE_BYTES


def _too_large(start_response: StartResponse) -> list[bytes]:
    """The API's own 413 problem document, sent as a WSGI response."""
    from atiende.api.errors import payload_too_large

    response = payload_too_large()
    status = f"{response.status_code} {response.reason_phrase}"
    start_response(status, [*response.items(), ("Content-Length", str(len(response.content)))])
    return [response.content]
