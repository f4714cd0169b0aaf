"""A reply's large attachment goes to Telegram streamed from storage: the fake provider gets
every byte in the multipart body it documents, and the sender never holds the file whole.

The fake here writes the request body to disk as it reads it (the stock fake keeps bodies in
memory, which would blur the measure): the memory traced while the outbox delivers the reply
is then the sender's own, and the body is checked afterwards with the fakes' multipart parser.
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from atiende.messaging.channels.contract import Media, Streamed
from atiende.messaging.channels.providers import uploads
from atiende.messaging.channels.services.outgoing_media import StoredFile
from atiende.messaging.models import ChannelDeliveryState
from tests.messaging.channels import fake_telegram
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    agent_of,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)
from tests.messaging.channels.fake_http import Answer, parse_multipart, write_answer
from tests.messaging.channels.media_files import PDF, attach

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
SIZE = 20 * MB
READ = 64 * 1024  # the fake reads the body this much at a time


class DiskTelegram(fake_telegram.FakeTelegram):
    """The fake Bot API, keeping large bodies on disk instead of in memory."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.saved: list[tuple[str, Path]] = []  # (content type, body file) of large requests

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        if length <= MB:
            super()._serve(handler)
            return
        path = self.folder / f"body-{len(self.saved)}"
        with path.open("wb") as body:
            left = length
            while left:
                chunk = handler.rfile.read(min(READ, left))
                if not chunk:
                    break
                body.write(chunk)
                left -= len(chunk)
        self.saved.append((handler.headers.get("Content-Type", ""), path))
        sent = {
            "message_id": 7001,
            "chat": {"id": fake_telegram.CHAT_ID, "type": "private"},
            "document": {"file_id": "BQAC-fake"},
        }
        write_answer(handler, Answer.json(200, {"ok": True, "result": sent}))


@pytest.fixture
def disk_telegram(tmp_path: Path) -> Iterator[DiskTelegram]:
    api = DiskTelegram(tmp_path).start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(autouse=True)
def _tasks_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def big_pdf() -> bytes:
    """A 20 MB file our upload takes for a PDF (its type is sniffed from the first bytes)."""
    return PDF + os.urandom(SIZE - len(PDF))


def test_a_20_mb_file_reaches_telegram_whole_without_being_held_in_memory(
    client: Client, disk_telegram: DiskTelegram
) -> None:
    chat = open_account("telegram", disk_telegram.base_url, client)
    ticket = chat.customer_writes("¿Me mandan el manual?")
    agent = agent_of(ticket)
    data = big_pdf()
    stored = attach(agent, ticket, "manual.pdf", data)
    reply = agent_replies(ticket, "Aquí va el manual.", agent=agent, attachment_ids=[stored.pk])
    expected = hashlib.sha256(data).hexdigest()
    del data

    tracemalloc.start()
    try:
        deliver()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [row.state for row in sent_rows(reply)] == [ChannelDeliveryState.SENT] * 2
    ((content_type, path),) = disk_telegram.saved
    form, files = parse_multipart(content_type, path.read_bytes())
    assert form == {"chat_id": [str(fake_telegram.CHAT_ID)]}
    (document,) = files["document"]
    assert (document.filename, document.content_type) == ("manual.pdf", "application/pdf")
    assert len(document.data) == SIZE
    assert hashlib.sha256(document.data).hexdigest() == expected
    # Reading the file whole, and joining it into a body, would take 40 MB and more.
    assert peak < 4 * MB, f"{peak / MB:.1f} MB traced while sending"


def test_a_streamed_body_is_the_same_bytes_as_the_joined_one() -> None:
    class Chunks:
        size = 300_000

        def chunks(self) -> Iterator[bytes]:
            for start in range(0, self.size, READ):
                yield bytes([start % 251]) * min(READ, self.size - start)

    source = Chunks()
    whole = b"".join(source.chunks())
    medium = Media(reference="x", content_type="application/pdf", filename="a.pdf")

    streamed, streamed_type = uploads.multipart(
        [("chat_id", "7")], [uploads.FilePart.of("document", replace(medium, source=source))]
    )
    joined, joined_type = uploads.multipart(
        [("chat_id", "7")], [uploads.FilePart.of("document", replace(medium, content=whole))]
    )

    assert isinstance(streamed, Streamed) and isinstance(joined, bytes)
    boundaries = [kind.rsplit("=", 1)[1].encode() for kind in (streamed_type, joined_type)]
    sent = streamed.read_all()
    assert streamed.length == len(sent) == len(joined)
    assert sent.replace(boundaries[0], b"~") == joined.replace(boundaries[1], b"~")


def test_a_file_that_shrank_after_it_was_measured_is_not_sent_short() -> None:
    class Shrunk:
        size = 10

        def chunks(self) -> Iterator[bytes]:
            yield b"12345"

    body = Streamed((b"head", Shrunk()))

    with pytest.raises(OSError, match="5 bytes, not the 10 announced"):
        body.read_all()


def test_a_stored_file_that_is_gone_is_named_not_sent(
    client: Client, disk_telegram: DiskTelegram
) -> None:
    chat = open_account("telegram", disk_telegram.base_url, client)
    ticket = chat.customer_writes("¿Y el manual?")
    agent = agent_of(ticket)
    stored = attach(agent, ticket, "manual.pdf", PDF)
    reply = agent_replies(ticket, "Aquí va.", agent=agent, attachment_ids=[stored.pk])
    assert stored.file.name
    stored.file.storage.delete(stored.file.name)

    assert StoredFile.of(stored) is None
    deliver()

    text, file = sent_rows(reply)
    assert text.state == ChannelDeliveryState.SENT
    assert file.state == ChannelDeliveryState.FAILED and "no longer stored" in file.reason
