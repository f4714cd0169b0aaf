"""Downloading a call's recording: one HTTP GET, bounded in time and size, spooled to disk.

The download itself is ``channels.downloads`` (never the whole file in memory, the limit
enforced on the announced length and on the bytes read, credentials never sent to a
redirect's target: Twilio redirects media to storage that must not see the account's auth
token). This module asks it for audio only and says, in the recording's words, why a recording
was refused.

``RecordingRefused`` means trying again will not help (too large, not audio, refused by the
server); any other error (time-out, connection refused, 5xx, 404 or 429 while the provider
is still processing) is raised for the outbox to retry later.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit, urlunsplit

from django.utils.translation import gettext as _

from atiende.messaging.channels import downloads
from atiende.messaging.channels.downloads import CONNECT_TIMEOUT, TOTAL_TIMEOUT, Download

__all__ = ["AUDIO_TYPES", "Download", "RecordingRefused", "fetch", "split_credentials"]

# TOTAL_TIMEOUT (the whole download, 300 s) stays below the outbox's lease of 10 minutes.

# What the timeline plays with <audio>; anything else is not kept as a recording.
AUDIO_TYPES = frozenset(
    {
        "audio/mpeg",
        "audio/mp3",
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "audio/ogg",
        "audio/opus",
        "audio/webm",
        "audio/mp4",
        "audio/x-m4a",
        "audio/aac",
        "audio/flac",
        "audio/x-flac",
    }
)


class RecordingRefused(Exception):
    """The recording cannot be attached, and asking again will not change that."""


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``https://user:pass@host/x`` as (``https://host/x``, (user, pass)); a PBX serving its
    recordings behind Basic authentication says so in the URL."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, (parts.username, parts.password or "")


def fetch(
    url: str,
    *,
    limit: int,
    credentials: tuple[str, str] | None = None,
    timeout: float = CONNECT_TIMEOUT,
    total: float = TOTAL_TIMEOUT,
) -> Download:
    """GET ``url`` into a temporary file of at most ``limit`` bytes (see the module)."""
    headers = {"Authorization": _basic(*credentials)} if credentials is not None else {}
    try:
        return downloads.download(
            url,
            limit=limit,
            headers=headers,
            accept="audio/*",
            allowed=AUDIO_TYPES.__contains__,
            timeout=timeout,
            total=total,
        )
    except downloads.NotHttp as refusal:
        raise RecordingRefused(_("The recording's address is not an http(s) URL.")) from refusal
    except downloads.ServerRefused as refusal:
        raise RecordingRefused(
            _("The recording's server refused to send it (HTTP %(status)d).")
            % {"status": refusal.status}
        ) from refusal
    except downloads.TooLarge as refusal:
        raise RecordingRefused(
            _too_large(refusal.size, refusal.limit, more=refusal.more)
        ) from refusal
    except downloads.EmptyFile as refusal:
        raise RecordingRefused(_("The recording's server sent an empty file.")) from refusal
    except downloads.NotAllowed as refusal:
        raise RecordingRefused(
            _("The recording's server did not send audio (it sent %(type)s).")
            % {"type": refusal.content_type}
        ) from refusal


def _too_large(size: int, limit: int, *, more: bool = False) -> str:
    values = {"size": _megabytes(size), "limit": _megabytes(limit)}
    if more:
        return _("The recording is larger than %(limit)s (more than %(size)s was sent).") % values
    return _("The recording is larger than %(limit)s (%(size)s).") % values


_megabytes = downloads.megabytes
