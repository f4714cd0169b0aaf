"""The embedded database's webhook spool: a signed request written to a file before the 200,
moved into its ``ChannelPayload`` row by the worker, many to a commit (decision 0010).

SQLite has one write lock. The worker's batches hold it most of the time while messages
pour in, so a webhook that INSERTed its row waited for a batch to end (and for the busy
handler's sleeps), and the intake stalled at ~200 a second. A file needs no lock: it is
written whole under ``tmp/``, ``fsync``ed, and renamed into ``new/`` — the way a mail server
queues a message — so a request the provider got a 200 for is on disk, and a file in
``new/`` is always complete. ``take_in`` INSERTs a batch of files as rows in one transaction
(unique by the file's name: a crash after the commit and before the files are removed
INSERTs nothing twice), then removes them.

On PostgreSQL (``ATIENDE_CHANNEL_SPOOL`` unset) the row is written directly: its writers do
not wait for each other, and web and worker may run on different machines, which a spool
on one machine's disk would not serve.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from atiende.messaging.channels import store
from atiende.messaging.models import ChannelAccount, ChannelPayload

logger = logging.getLogger(__name__)

SUFFIX = ".request"


def directory() -> Path | None:
    """Where signed requests are spooled, or None when they are written as rows directly."""
    configured = getattr(settings, "ATIENDE_CHANNEL_SPOOL", None)
    return Path(configured) if configured else None


def write(row: ChannelPayload, into: Path) -> str:
    """Write the unsaved ``row`` (its account, request and verdict) to the spool durably; its
    key. Raises ``OSError`` (the view answers 500, the provider sends it again)."""
    key = f"{time_key()}-{uuid.uuid4().hex}"
    header = {
        "account": row.account_id,
        "method": row.method,
        "url": row.url,
        "headers": row.headers,
        "query": row.query,
        "received_at": row.received_at.isoformat(),
        "verified_at": row.verified_at.isoformat() if row.verified_at else None,
    }
    temporary, final = into / "tmp" / key, into / "new" / (key + SUFFIX)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileNotFoundError:  # the first request: the directories are made once
        prepare(into)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        left = memoryview(json.dumps(header).encode() + b"\n" + bytes(row.body))
        while left:  # a write may take only part of a large body
            left = left[os.write(descriptor, left) :]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.rename(temporary, final)
    _sync_directory(final.parent)
    return key


def time_key() -> str:
    """Names sort in the order written (microseconds since the epoch, 16 digits until the
    year 2286), so rows keep the order of arrival."""
    return f"{dt.datetime.now(dt.UTC).timestamp():017.6f}".replace(".", "")


def prepare(into: Path) -> None:
    """Create the spool's directories, readable by the installation's user only."""
    into.mkdir(parents=True, exist_ok=True, mode=0o700)
    for part in ("tmp", "new"):
        (into / part).mkdir(exist_ok=True, mode=0o700)


def take_in(into: Path, limit: int) -> int:
    """Move up to ``limit`` spooled requests, oldest first, into ``received`` rows (one
    commit, never inside a caller's transaction: a rollback after the files are removed would
    lose them); how many were taken. A request whose account was deleted meanwhile is dropped
    (its webhook would now answer 404), and logged."""
    folder = into / "new"
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(SUFFIX))[:limit]
    except FileNotFoundError:
        return 0
    if not names:
        return 0
    rows = [_row(folder / name) for name in names]
    accounts = set(
        ChannelAccount.objects.filter(pk__in={row.account_id for row in rows}).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic(durable=True):  # a real commit before the files are removed
        for row in rows:
            if row.account_id in accounts:
                store.insert_spooled(row)
            else:
                logger.warning("spooled request %s dropped: account gone", row.spool_key)
    for name in names:
        (folder / name).unlink(missing_ok=True)
    return len(names)


def _row(path: Path) -> ChannelPayload:
    header_line, _newline, body = path.read_bytes().partition(b"\n")
    header = json.loads(header_line)
    verified = header["verified_at"]
    return ChannelPayload(
        account_id=header["account"],
        method=header["method"],
        url=header["url"],
        headers=header["headers"],
        query=header["query"],
        body=body,
        received_at=dt.datetime.fromisoformat(header["received_at"]),
        verified_at=dt.datetime.fromisoformat(verified) if verified else None,
        spool_key=path.name.removesuffix(SUFFIX),
    )


def _sync_directory(folder: Path) -> None:
    """The rename itself made durable (a power loss must not undo it)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
