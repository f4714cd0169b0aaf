"""Files reach storage before any ticket lock or intake transaction is taken.

The storage is the outside world here: a file-system storage that notes, for every file it
writes, whether the writing thread had a database transaction open at that moment.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from atiende.messaging.models import InboundMethod, Mailbox
from atiende.tickets.models import Attachment
from atiende.tickets.services import store_attachment
from atiende.tickets.services.attachments import write_file
from tests.factories import make_agent, make_group, make_ticket, web
from tests.messaging.mail import build, deliver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WRITES: list[tuple[str, bool]] = []


class RecordingStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        WRITES.append((name, connection.in_atomic_block))
        return super()._save(name, content)


def written() -> list[tuple[str, bool]]:
    """Each file the storage wrote, and whether a transaction was open while it did."""
    return list(WRITES)


@pytest.fixture(autouse=True)
def recording_storage(settings: Any) -> None:
    WRITES.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.RecordingStorage"},
    }


def test_an_upload_is_written_before_the_ticket_is_locked() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    attachment = store_attachment(
        web(agent), ticket_id=ticket.pk, filename="log.txt", stream=io.BytesIO(b"line 1\n")
    )
    assert written() == [(attachment.file.name, False)]
    assert attachment.file.read() == b"line 1\n"


def test_the_same_bytes_are_stored_once() -> None:
    first = write_file(filename="a.txt", stream=io.BytesIO(b"same"))
    second = write_file(filename="b.txt", stream=io.BytesIO(b"same"))
    assert first.path == second.path and (first.filename, second.filename) == ("a.txt", "b.txt")
    assert len(written()) == 1


def test_an_emails_attachments_are_written_before_its_intake_transaction() -> None:
    mailbox = Mailbox.objects.create(address="support@helpdesk.test", inbound_method="smtp")
    assert mailbox.inbound_method == InboundMethod.SMTP
    row = deliver(
        build(attachments=[("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"x" * 100)]),
        mailbox,
    )
    assert row.ticket is not None
    [attachment] = Attachment.objects.filter(ticket=row.ticket)
    assert written() == [(attachment.file.name, False)]
