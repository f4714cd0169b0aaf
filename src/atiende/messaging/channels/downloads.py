"""Downloading a file a provider holds for us: one HTTP GET, bounded in time and size, spooled
to disk. Call recordings (``services.recording_fetch``) and customers' media
(``services.media``) both come through here.

Never the whole file in memory: it is read in chunks into a temporary file. A
``Content-Length`` over the limit is refused before a byte of the body is read, and a body
that grows past the limit without saying its length is cut off there. Only ``http``/``https``
are followed (no ``file:``, no ``ftp:``, not even through a redirect), and the headers given
(credentials) are sent only to the URL asked for, never to where it redirects: Twilio
redirects media to storage that must not see the account's auth token.

A ``Refused`` subclass means trying again will not help (too large, a type not kept, empty,
any other 4xx or 3xx answer); any other error (time-out, connection refused or cut short,
5xx, or a 404/429 while the provider is still processing) is an ``OSError``, for a caller
that can retry later.
"""

from __future__ import annotations

import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from atiende.tickets.services.attachments import SNIFF_BYTES, sniff_content_type

CHUNK = 256 * 1024
CONNECT_TIMEOUT = 10.0  # seconds per socket operation
TOTAL_TIMEOUT = 300.0  # the whole download
RETRY_STATUSES = frozenset({404, 408, 425, 429})


class Refused(Exception):
    """The file cannot be kept, and asking again will not change that."""


class NotHttp(Refused):
    pass


class ServerRefused(Refused):
    """An error answer other than the ones that may pass (``RETRY_STATUSES``, 5xx)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class TooLarge(Refused):
    """``size`` bytes (announced, or read so far when ``more``) over ``limit``."""

    def __init__(self, size: int, limit: int, *, more: bool = False) -> None:
        super().__init__(f"{size} bytes over the limit of {limit}")
        self.size, self.limit, self.more = size, limit, more


class EmptyFile(Refused):
    pass


class NotAllowed(Refused):
    """The bytes are of a type the caller does not keep (``content_type``, sniffed)."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


class CutShort(ConnectionError):
    """The connection ended before the length the server announced: try again later."""


@dataclass
class Download:
    """A downloaded file: the open spool (at its start), its size and sniffed type. The
    caller closes ``file``."""

    file: IO[bytes]
    size: int
    content_type: str


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def download(
    url: str,
    *,
    limit: int,
    headers: Mapping[str, str] | None = None,
    accept: str = "*/*",
    allowed: Callable[[str], bool] | None = None,
    timeout: float = CONNECT_TIMEOUT,
    total: float = TOTAL_TIMEOUT,
) -> Download:
    """GET ``url`` into a temporary file of at most ``limit`` bytes (see the module);
    ``allowed`` says which sniffed types are kept (all when ``None``)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise NotHttp(url.split(":", 1)[0])
    request = urllib.request.Request(  # noqa: S310  # http(s) only, checked above and by _opener
        url, method="GET", headers={"User-Agent": "Atiende", "Accept": accept}
    )
    for name, value in (headers or {}).items():
        request.add_unredirected_header(name, value)  # never carried to a redirect's target
    deadline = time.monotonic() + total
    try:
        response = _opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in RETRY_STATUSES or error.code >= 500:
            raise
        raise ServerRefused(error.code) from error
    with response:
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdecimal() and int(declared) > limit:
            raise TooLarge(int(declared), limit)
        spool = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the caller, who closes it
        try:
            size, head = _copy(response, spool, limit=limit, deadline=deadline, total=total)
            if declared.strip().isdecimal() and size < int(declared):
                raise CutShort(f"{size} of the {declared} bytes announced")
            if size == 0:
                raise EmptyFile()
            content_type = sniff_content_type(head)
            if allowed is not None and not allowed(content_type):
                raise NotAllowed(content_type)
            spool.seek(0)
        except BaseException:
            spool.close()
            raise
    return Download(file=spool, size=size, content_type=content_type)


def _copy(
    response: IO[bytes], spool: IO[bytes], *, limit: int, deadline: float, total: float
) -> tuple[int, bytes]:
    """Copy the body chunk by chunk; its size and its first bytes (to sniff)."""
    size, head = 0, b""
    while chunk := response.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(size, limit, more=True)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the download took more than {total:.0f} s")
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        spool.write(chunk)
    return size, head


def megabytes(size: int) -> str:
    """Binary megabytes, as the limits are set (100 MB is 100 × 1024 × 1024 bytes)."""
    return _("%(count)s MB") % {"count": f"{size / (1024 * 1024):.1f}".removesuffix(".0")}
