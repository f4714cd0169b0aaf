"""Media a customer sends, end to end: the signed WhatsApp webhook names an image and a
document, processing downloads both from the fake Graph API on loopback before its
transaction, and the ticket's message carries them as attachments; one too large to keep is
named in the text instead, and the rest still arrive."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from atiende.tickets.models import Attachment
from tests.messaging.channels import fake_graph
from tests.messaging.channels.conversing import TASKS_AT_ONCE, open_account
from tests.messaging.channels.fake_media import FakeMedia, media_host_fixture

pytestmark = pytest.mark.django_db
__all__ = ["media_host_fixture"]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _tasks_at_once(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE


def test_a_whatsapp_image_and_document_arrive_as_attachments(
    client: Client, media_host: FakeMedia, settings: Any
) -> None:
    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 10_000
    whatsapp = open_account("whatsapp", media_host.base_url, client)
    image = media_host.whatsapp_medium(JPEG, "image/jpeg")
    document = media_host.whatsapp_medium(PDF, "application/pdf", filename="factura-42.pdf")
    huge = media_host.whatsapp_medium(b"x" * 20_000, "application/pdf", filename="scan.pdf")
    message = fake_graph.wa_message(
        "image", {"id": image.reference, "mime_type": "image/jpeg", "caption": "Mira la foto"}
    )
    more = [
        fake_graph.wa_message(
            "document",
            {"id": medium.reference, "mime_type": "application/pdf", "filename": medium.filename},
        )
        for medium in (document, huge)
    ]

    answer = whatsapp.post(fake_graph.webhook(fake_graph.wa_payload(message, *more)))

    assert answer.status_code == 200
    files = Attachment.objects.order_by("pk")
    assert [(f.filename, f.content_type) for f in files] == [
        ("image.jpg", "image/jpeg"),
        ("factura-42.pdf", "application/pdf"),
    ]
    assert files[0].message is not None and files[0].message.body_text == "Mira la foto"
    assert files[0].message.ticket_id == files[1].message.ticket_id  # one conversation
    last = files[1].message.ticket.messages.order_by("pk").last()
    assert "scan.pdf" in last.body_text and "too large" in last.body_text  # named, not dropped
    again = whatsapp.post(fake_graph.webhook(fake_graph.wa_payload(message, *more)))
    assert again.status_code == 200 and Attachment.objects.count() == 2  # not fetched twice
