"""Files an agent attaches to a reply in the media-out tests: real PDF and PNG bytes (our
upload sniffs the type from them), stored through the tickets services as the composer does."""

from __future__ import annotations

import io
import struct
import zlib

from atiende.accounts.models import User
from atiende.tickets import services as tickets
from atiende.tickets.models import Attachment, Ticket
from tests.factories import web

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def png(padding: int = 0) -> bytes:
    """A 1×1 PNG; ``padding`` bytes of a private chunk make it as big as a test needs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    extra = chunk(b"prVt", b"\x00" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def attach(agent: User, ticket: Ticket, filename: str, data: bytes) -> Attachment:
    """``data`` uploaded to ``ticket`` as the composer uploads it, before the reply claims it."""
    return tickets.store_attachment(
        web(agent), ticket_id=ticket.pk, filename=filename, stream=io.BytesIO(data)
    )
