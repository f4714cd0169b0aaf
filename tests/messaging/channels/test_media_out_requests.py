"""The pure half of sending files: the multipart bodies (read back by the standard library's
MIME parser, not by our encoder), the kind each provider plays a file as, and the limits."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from atiende.messaging.channels.contract import Media, OutboundMessage
from atiende.messaging.channels.providers import telegram_send, uploads, whatsapp
from atiende.messaging.channels.services import outgoing_media
from tests.messaging.channels import fake_graph, fake_telegram
from tests.messaging.channels.fake_http import parse_multipart

MB = 1024 * 1024


def test_multipart_quotes_names_so_no_header_can_be_injected() -> None:
    name = 'a"b\r\nContent-Type: text/html.pdf'
    body, content_type = uploads.multipart(
        [("caption", "línea 1\nlínea 2")],
        [uploads.FilePart("document", name, "application/pdf", b"%PDF\r\n--x\r\n")],
    )
    fields, files = parse_multipart(content_type, body)
    assert fields == {"caption": ["línea 1\nlínea 2"]}
    (file,) = files["document"]
    assert file.filename == "a%22b%0D%0AContent-Type: text/html.pdf"
    assert (file.content_type, file.data) == ("application/pdf", b"%PDF\r\n--x\r\n")


def test_whatsapp_upload_request_is_the_documented_multipart() -> None:
    config = fake_graph.config("whatsapp")
    medium = Media(reference="", content_type="image/png", filename="f.png", content=b"png!")
    request = uploads.whatsapp_upload_request(config, medium)
    assert request.url == f"https://graph.facebook.com/v23.0/{fake_graph.PHONE_NUMBER_ID}/media"
    assert request.headers["Authorization"] == f"Bearer {fake_graph.ACCESS_TOKEN}"
    fields, files = parse_multipart(request.headers["Content-Type"], request.body)
    assert fields == {"messaging_product": ["whatsapp"], "type": ["image/png"]}
    assert files["file"][0].data == b"png!"


def test_a_telegram_upload_keeps_its_other_parameters_as_fields() -> None:
    config = fake_telegram.telegram_config()
    medium = Media(reference="attachment:1", content_type="image/png", filename="f.png", size=4)
    message = OutboundMessage(
        to=str(fake_telegram.CHAT_ID),
        text="mirá",
        media=(replace(medium, content=b"png!"),),
        reply_to=f"{fake_telegram.CHAT_ID}:77",
    )
    request = telegram_send.send_request(config, message)
    assert request.url.endswith("/sendPhoto")
    fields, files = parse_multipart(request.headers["Content-Type"], request.body)
    assert fields["chat_id"] == [str(fake_telegram.CHAT_ID)]
    assert fields["caption"] == ["mirá"]
    assert json.loads(fields["reply_parameters"][0])["message_id"] == 77
    assert "photo" not in fields and files["photo"][0].data == b"png!"


def test_a_telegram_picture_over_10_mb_goes_as_a_document() -> None:
    config = fake_telegram.telegram_config()
    big = Media(reference="", content_type="image/jpeg", filename="f.jpg", size=11 * MB)
    message = OutboundMessage(to="1", media=(replace(big, content=b"jpg"),))
    assert telegram_send.send_request(config, message).url.endswith("/sendDocument")


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("image/png", "image"),
        ("image/gif", "document"),  # WhatsApp shows only JPEG and PNG as images
        ("video/mp4", "video"),
        ("audio/ogg", "audio"),
        ("application/pdf", "document"),
    ],
)
def test_whatsapp_plays_each_type_as_it_documents(content_type: str, kind: str) -> None:
    assert whatsapp.media_kind(content_type) == kind


@pytest.mark.parametrize(
    ("provider", "content_type", "size", "sent"),
    [
        ("whatsapp", "application/pdf", 100 * MB, True),
        ("whatsapp", "application/pdf", 100 * MB + 1, False),
        ("whatsapp", "video/mp4", 17 * MB, False),
        ("telegram", "application/zip", 50 * MB, True),
        ("telegram", "video/mp4", 51 * MB, False),
        ("twilio_sms", "image/jpeg", 5 * MB + 1, False),
        ("messenger", "image/png", 9 * MB, False),
        ("instagram", "video/mp4", 9 * MB, True),
    ],
)
def test_each_provider_limit(provider: str, content_type: str, size: int, sent: bool) -> None:
    medium = Media(reference="attachment:1", content_type=content_type, filename="f", size=size)
    assert (outgoing_media.refusal(provider, medium) == "") is sent
