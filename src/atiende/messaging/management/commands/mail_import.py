"""``atiende mail import FILE|MAILDIR|MBOX``: store and process mail inline, no task queue.

Safe to interrupt and run again: every message is committed raw before it is processed, a
second run finds the stored copies (duplicates) and finishes any left ``received``.
"""

from __future__ import annotations

import contextlib
import fcntl
import mailbox
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from atiende.core import transient
from atiende.messaging.email.parse import ParsedEmail
from atiende.messaging.inbound.pipeline import Parsed, create_people, parse, process_row
from atiende.messaging.inbound.store import MessageTooLarge, peek_headers, store_raw
from atiende.messaging.inbound.writing import write_files
from atiende.messaging.models import MAX_STORED_BYTES, InboundSource, InboundState, Mailbox
from atiende.outbox import services as outbox
from atiende.tickets import services as tickets

# Messages per transaction, and at most this many bytes of them in memory at once. 100 (not
# 20) took the 2-process import from 290 to 330-350 messages/s: fewer commits and hand-overs.
# A crash redoes one batch; other writers wait for a batch (≈ 0.3 s on SQLite) during imports.
DEFAULT_BATCH = 100
MAX_BATCH_BYTES = 32 * 1024 * 1024


@contextlib.contextmanager
def writer_turn() -> Iterator[Callable[[], None]]:
    """On SQLite, importers take turns through a file lock beside the database.

    SQLite's busy handler makes a waiting writer sleep 1, 2, 5 … 100 ms between tries, so the
    database sat idle after most commits while the other importer slept (2 processes: 221
    messages/s). Waiting on the lock, the next importer starts the moment the other's batch
    commits. Other writers (web, SMTP) still queue on SQLite's own lock. Yields a function
    that gives the turn away early (once committed, before the after-commit work).
    """
    if connection.vendor != "sqlite":
        yield lambda: None
        return
    path = Path(str(connection.settings_dict["NAME"]) + ".import-lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)

        def give() -> None:  # also called after the lock is gone (an enclosing transaction)
            if not handle.closed:
                fcntl.flock(handle, fcntl.LOCK_UN)

        try:
            yield give
        finally:
            give()


def natural(name: object) -> list[tuple[int, str]]:
    """Sort key with numbers compared as numbers: Maildir names are time, microseconds and a
    counter without zero padding, and a reply must not be imported before its question."""
    parts = re.split(r"(\d+)", str(name))
    return [(int(part), "") if part.isdecimal() else (0, part) for part in parts]


def read_messages(path: Path) -> Iterator[bytes]:
    """Raw messages of a Maildir, an mbox file, a folder of .eml files or one message."""
    if path.is_dir():
        if (path / "cur").is_dir() or (path / "new").is_dir():
            maildir = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(maildir.iterkeys(), key=natural):
                yield maildir.get_bytes(key)
            return
        for file in sorted((p for p in path.rglob("*") if p.is_file()), key=natural):
            yield file.read_bytes()
        return
    with path.open("rb") as handle:
        is_mbox = handle.read(5) == b"From "
    if is_mbox:
        box = mailbox.mbox(path, factory=None, create=False)
        for key in box.iterkeys():
            yield box.get_bytes(key)
    else:
        yield path.read_bytes()


class Command(BaseCommand):
    help = _("Import mail from a file, a Maildir or an mbox into tickets, processed inline.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("A message file, a Maildir folder or an mbox file."))
        parser.add_argument(
            "--mailbox", default="", help=_("Address of the mailbox the mail was sent to.")
        )
        parser.add_argument(
            "--shard",
            default="0/1",
            help=_("K/N: handle only every N-th message starting at K (parallel imports)."),
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=DEFAULT_BATCH,
            help=_("Messages per transaction (fewer commits; a crash redoes one batch)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        box = self._mailbox(options["mailbox"])
        shard, shards = self._shard(options["shard"])
        counts: Counter[str] = Counter()
        started = time.monotonic()
        batch: list[bytes] = []
        size = 0
        for index, raw in enumerate(read_messages(path)):
            if index % shards != shard:
                continue
            if len(raw) > MAX_STORED_BYTES:
                counts["refused"] += 1
                self.stderr.write(str(MessageTooLarge(len(raw))))
                continue
            batch.append(raw)
            size += len(raw)
            if len(batch) >= options["batch"] or size >= MAX_BATCH_BYTES:
                self._import(batch, box, counts)
                batch, size = [], 0
        if batch:
            self._import(batch, box, counts)
        seconds = max(time.monotonic() - started, 1e-9)
        handled = counts["stored"] + counts["duplicates"]
        self.stdout.write(
            _(
                "%(stored)d stored, %(duplicates)d duplicates, %(processed)d processed, "
                "%(ignored)d ignored, %(quarantined)d quarantined, %(refused)d refused "
                "in %(seconds).1f s (%(rate).0f msg/s)."
            )
            % {
                "stored": counts["stored"],
                "duplicates": counts["duplicates"],
                "processed": counts[InboundState.PROCESSED],
                "ignored": counts[InboundState.IGNORED],
                "quarantined": counts[InboundState.QUARANTINED],
                "refused": counts["refused"],
                "seconds": seconds,
                "rate": handled / seconds,
            }
        )

    def _import(self, raws: list[bytes], box: Mailbox | None, counts: Counter[str]) -> None:
        """Parse a batch outside any transaction (on SQLite one holds the write lock), then
        store and process it in one: one commit per batch, and a crash leaves nothing of the
        batch behind (the next run imports it again). A bad message only quarantines itself;
        a deadlock with another importer rolls the batch back and redoes it."""
        parsed = [parse(raw) for raw in raws]
        headers = [peek_headers(raw) for raw in raws]
        for message in parsed:  # storage first: the batch then only records its files
            if isinstance(message, ParsedEmail):
                write_files(message)
        for attempt in range(1, transient.ATTEMPTS + 1):
            try:
                counts.update(self._write_batch(raws, parsed, headers, box))
                return
            except OperationalError as exc:
                if attempt == transient.ATTEMPTS or not transient.is_transient(exc):
                    raise
                self.stderr.write(_("Redoing a batch after: %(error)s") % {"error": exc})

    def _write_batch(
        self,
        raws: list[bytes],
        parsed: list[Parsed],
        headers: list[tuple[str, str, str]],
        box: Mailbox | None,
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        if connection.vendor == "postgresql":  # SQLite's importers take turns anyway
            # New customers first, committed at once: created inside the batch, each held
            # another importer that met the same person until the whole batch committed.
            with transaction.atomic():
                create_people(box, InboundSource.IMPORT, parsed)
        # The batch's tally moves are written last (``channel_batch``): a concurrent importer
        # on PostgreSQL waits for the shared tally rows during the commit, not the whole batch.
        with writer_turn() as give_turn, transaction.atomic(), tickets.channel_batch():
            transaction.on_commit(give_turn)  # first: the other importer goes on meanwhile
            outbox.deliver_together()  # the batch's effects in chunks, not message by message
            for raw, message, peeked in zip(raws, parsed, headers, strict=True):
                row, created = store_raw(
                    raw,
                    mailbox=box,
                    source=InboundSource.IMPORT,
                    recipient=box.address if box else "",
                    durable=False,
                    headers=peeked,
                )
                counts["stored" if created else "duplicates"] += 1
                if row.state == InboundState.RECEIVED:
                    done = process_row(row, parsed=message, locked=created)
                    counts[str(done.state)] += 1
                elif created:  # stored quarantined (over the mailbox's size limit)
                    counts[str(row.state)] += 1
        return counts

    def _mailbox(self, address: str) -> Mailbox | None:
        if not address:
            return None
        found = Mailbox.objects.filter(address__iexact=address.strip()).first()
        if found is None:
            raise CommandError(_("No mailbox has the address %(address)s.") % {"address": address})
        return found

    def _shard(self, value: str) -> tuple[int, int]:
        try:
            shard, shards = (int(part) for part in value.split("/"))
        except ValueError:
            raise CommandError(_("--shard must look like 0/2.")) from None
        if shards < 1 or not 0 <= shard < shards:
            raise CommandError(_("--shard must look like 0/2."))
        return shard, shards
