"""Performing an adapter's ``ProviderRequest`` over HTTP: the one place a channel send touches
the network.

The standard library's client, with a time-out (``TIMEOUT``) and no redirects followed (a
provider API that redirects a POST is misconfigured, and following it would resend the
message body elsewhere). Any HTTP answer — 2xx, 4xx or 5xx — comes back as a
``ProviderResponse`` for the adapter to read; only a request that got no answer (time-out,
refused connection, DNS) raises ``TransportError``, which the sender retries.

A ``Streamed`` body (a file upload) goes as an iterable with its ``Content-Length`` set:
``http.client`` sends each chunk as the file is read, so the file is never in memory whole.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterable
from email.message import Message as Headers

from django.conf import settings

from atiende.messaging.channels.contract import ProviderRequest, ProviderResponse, Streamed

TIMEOUT = 10.0  # seconds: the providers answer a send in well under a second
MAX_ANSWER = 1024 * 1024  # bytes of an answer read: a send's answer is a few hundred


class TransportError(OSError):
    """The provider gave no answer: timed out, refused, unreachable."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx comes back as an answer (an HTTPError) instead


_opener = urllib.request.build_opener(_NoRedirects)


def perform(request: ProviderRequest, *, timeout: float | None = None) -> ProviderResponse:
    """Send ``request`` and return the provider's answer, whatever its status; the time-out
    is ``ATIENDE_CHANNEL_SEND_TIMEOUT`` seconds (``TIMEOUT`` unless set)."""
    if timeout is None:
        timeout = float(getattr(settings, "ATIENDE_CHANNEL_SEND_TIMEOUT", TIMEOUT))
    if not request.url.startswith(("https://", "http://")):
        raise TransportError(f"not an HTTP URL: {_host(request.url)}")
    headers = dict(request.headers)
    data: bytes | Iterable[bytes] = request.body
    if isinstance(request.body, Streamed):
        headers["Content-Length"] = str(request.body.length)
        data = iter(request.body)
    outgoing = urllib.request.Request(  # noqa: S310  (the URL is the adapter's, http(s) only)
        request.url, data=data, headers=headers, method=request.method
    )
    try:
        with _opener.open(outgoing, timeout=timeout) as answer:
            return _response(answer.status, answer.headers, answer.read(MAX_ANSWER))
    except urllib.error.HTTPError as error:
        with error:
            return _response(error.code, error.headers, error.read(MAX_ANSWER))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise TransportError(f"no answer from {_host(request.url)}: {reason}") from error
    except OSError as error:
        raise TransportError(f"no answer from {_host(request.url)}: {error}") from error


def _response(status: int, headers: Headers | None, body: bytes) -> ProviderResponse:
    values = dict(headers.items()) if headers is not None else {}
    return ProviderResponse(status=status, headers=values, body=body)


def _host(url: str) -> str:
    """Only the host: a Telegram URL carries the bot's token in its path."""
    return url.split("/")[2] if url.count("/") >= 2 else "?"
