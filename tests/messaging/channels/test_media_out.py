"""An agent's reply with attachments, sent on each messaging channel against its fake provider
on loopback: the text first, then each file as a part of its own — uploaded to WhatsApp and
Telegram (the fakes parse the multipart they receive), a signed link for Twilio, Messenger and
Instagram (which we fetch back from our own server as the provider would). A file over the
provider's limit fails alone with the reason; an upload answered 500 is retried."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from atiende.core.errors import Invalid
from atiende.messaging.models import ChannelDeliveryState
from atiende.outbox.models import Effect, EffectState
from atiende.tickets.models import Message, Ticket
from tests.messaging.channels import fake_graph as graph
from tests.messaging.channels import fake_telegram, fake_twilio
from tests.messaging.channels.conversing import (
    TASKS_AT_ONCE,
    agent_of,
    agent_replies,
    deliver,
    open_account,
    sent_rows,
)
from tests.messaging.channels.media_files import PDF, attach, png

pytestmark = pytest.mark.django_db
SITE = "https://desk.example"
PNG = png()
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.TASKS = TASKS_AT_ONCE
    settings.ATIENDE_SITE_URL = SITE


def reply_with_files(ticket: Ticket, text: str, *files: tuple[str, bytes]) -> Message:
    agent = agent_of(ticket)
    ids = [attach(agent, ticket, name, data).pk for name, data in files]
    return agent_replies(ticket, text, agent=agent, attachment_ids=ids)


def states(message: Message) -> list[str]:
    return [row.state for row in sent_rows(message)]


def fetched(client: Client, url: str) -> tuple[bytes, Any]:
    """What a provider gets from one of our signed links (our own server, the test client)."""
    assert url.startswith(f"{SITE}/files/"), url
    answer = client.get(urlsplit(url).path)
    assert answer.status_code == 200
    return b"".join(answer.streaming_content), answer


def test_whatsapp_uploads_each_file_then_sends_it_by_its_media_id(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("¿Me mandan la factura?")

    reply = reply_with_files(ticket, "Aquí va.", ("factura.pdf", PDF), ("foto.png", PNG))
    deliver()

    node = f"/v23.0/{graph.PHONE_NUMBER_ID}"
    paths = [request.path for request in fake_graph.requests]
    assert paths == [f"{node}/messages", *[f"{node}/media", f"{node}/messages"] * 2]
    text, pdf_upload, pdf_send, _png_upload, png_send = fake_graph.requests
    assert text.json["text"] == {"body": "Aquí va."}
    assert pdf_upload.headers["authorization"] == f"Bearer {graph.ACCESS_TOKEN}"
    assert pdf_upload.form == {"messaging_product": ["whatsapp"], "type": ["application/pdf"]}
    (uploaded,) = pdf_upload.files["file"]
    assert (uploaded.filename, uploaded.content_type, uploaded.data) == (
        "factura.pdf",
        "application/pdf",
        PDF,
    )
    pdf_id, png_id = list(fake_graph.uploads)
    assert pdf_send.json["type"] == "document"
    assert pdf_send.json["document"] == {"id": pdf_id, "filename": "factura.pdf"}
    assert png_send.json["image"] == {"id": png_id}
    assert fake_graph.uploads[png_id].data == PNG
    assert states(reply) == [ChannelDeliveryState.SENT] * 3
    assert [row.part for row in sent_rows(reply)] == [0, 1, 2]


def test_telegram_uploads_each_file_in_its_send_request(
    client: Client, telegram_api: fake_telegram.FakeTelegram
) -> None:
    chat = open_account("telegram", telegram_api.base_url, client)
    ticket = chat.customer_writes("¿Tienen el manual?")

    reply = reply_with_files(ticket, "Sí:", ("manual.pdf", PDF), ("foto.png", PNG))
    deliver()

    methods = [request.path.rsplit("/", 1)[-1] for request in telegram_api.requests]
    assert methods == ["sendMessage", "sendDocument", "sendPhoto"]
    _text, document, photo = telegram_api.requests
    assert document.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert document.form == {"chat_id": [str(fake_telegram.CHAT_ID)]}
    (sent,) = document.files["document"]
    assert (sent.filename, sent.content_type, sent.data) == ("manual.pdf", "application/pdf", PDF)
    assert photo.files["photo"][0].data == PNG
    assert states(reply) == [ChannelDeliveryState.SENT] * 3


def test_sms_sends_each_file_as_an_mms_whose_signed_link_serves_the_bytes(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    ticket = chat.customer_writes("Mándenme el comprobante")

    reply = reply_with_files(ticket, "Te lo envío.", ("comprobante.pdf", PDF), ("foto.png", PNG))
    deliver()

    text, pdf, image = twilio_api.requests
    assert text.form["Body"] == ["Te lo envío."] and "MediaUrl" not in text.form
    assert "Body" not in pdf.form
    (pdf_url,) = pdf.form["MediaUrl"]
    body, answer = fetched(client, pdf_url)
    assert body == PDF and answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == 'attachment; filename="comprobante.pdf"'
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert client.head(urlsplit(pdf_url).path).status_code == 200  # Twilio checks with HEAD
    assert fetched(client, image.form["MediaUrl"][0])[0] == PNG
    rows = sent_rows(reply)
    assert [row.state for row in rows] == [ChannelDeliveryState.SENT] * 3
    assert rows[1].provider_id.startswith("MM")


@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_meta_sends_each_file_as_an_attachment_by_signed_link(
    client: Client, fake_graph: graph.FakeGraph, provider: str
) -> None:
    chat = open_account(provider, fake_graph.base_url, client)
    ticket = chat.customer_writes("¿Tienen catálogo?")

    reply = reply_with_files(ticket, "Acá está.", ("catalogo.pdf", PDF), ("talle.png", PNG))
    deliver()

    text, pdf, image = fake_graph.requests
    assert text.json["message"] == {"text": "Acá está."}
    pdf_attachment = pdf.json["message"]["attachment"]
    assert pdf_attachment["type"] == "file"
    assert fetched(client, pdf_attachment["payload"]["url"])[0] == PDF
    image_attachment = image.json["message"]["attachment"]
    assert image_attachment["type"] == "image"
    assert fetched(client, image_attachment["payload"]["url"])[0] == PNG
    assert states(reply) == [ChannelDeliveryState.SENT] * 3


def test_a_file_over_the_mms_limit_fails_alone_with_the_reason(
    client: Client, twilio_api: fake_twilio.FakeTwilio
) -> None:
    chat = open_account("twilio_sms", twilio_api.base_url, client)
    ticket = chat.customer_writes("Mandame las fotos")

    reply = reply_with_files(
        ticket, "Van las fotos.", ("grande.png", png(6 * MB)), ("chica.png", PNG)
    )
    deliver()

    assert len(twilio_api.requests) == 2  # the text and the small picture: never the big one
    text, big, small = sent_rows(reply)
    assert (text.state, small.state) == (ChannelDeliveryState.SENT, ChannelDeliveryState.SENT)
    assert big.state == ChannelDeliveryState.FAILED
    assert big.reason == (
        "grande.png was not sent: it is 6.0\xa0MB, and MMS takes files of at most 5.0\xa0MB."
    )
    assert Effect.objects.get(key=f"channels.send:{reply.pk}").state == EffectState.DELIVERED


def test_a_picture_over_whatsapps_image_limit_is_not_uploaded(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Mandame la foto")

    reply = reply_with_files(ticket, "Va.", ("grande.png", png(6 * MB)), ("factura.pdf", PDF))
    deliver()

    uploads = [request for request in fake_graph.requests if request.path.endswith("/media")]
    assert [upload.files["file"][0].filename for upload in uploads] == ["factura.pdf"]
    _text, big, pdf = sent_rows(reply)
    assert big.state == ChannelDeliveryState.FAILED and "at most 5.0\xa0MB" in big.reason
    assert pdf.state == ChannelDeliveryState.SENT


def test_an_upload_answered_500_is_retried_from_that_file_on(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("¿Y el contrato?")
    reply = reply_with_files(ticket, "Adjunto.", ("contrato.pdf", PDF))
    now = timezone.now()
    fake_graph.requests.clear()

    fake_graph.answer_next(200, {"messages": [{"id": "wamid.texto"}]})  # the text goes
    fake_graph.fail(500)  # the upload does not
    deliver(now)

    text, file = sent_rows(reply)
    assert text.state == ChannelDeliveryState.SENT and file.state == ChannelDeliveryState.QUEUED
    effect = Effect.objects.get(key=f"channels.send:{reply.pk}")
    assert effect.state == EffectState.PENDING and "HTTP 500" in effect.last_error

    deliver(now + timedelta(minutes=1))

    file.refresh_from_db()
    assert file.state == ChannelDeliveryState.SENT
    sends = [r for r in fake_graph.requests if r.path.endswith("/messages")]
    assert len(sends) == 2  # the text was not sent again
    assert sends[-1].json["document"]["id"] in fake_graph.uploads


def test_an_upload_whatsapp_refuses_fails_that_file_and_the_rest_still_go(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client)
    ticket = chat.customer_writes("Mandá todo")
    reply = reply_with_files(ticket, "Van.", ("uno.pdf", PDF), ("dos.png", PNG))

    fake_graph.answer_next(200, {"messages": [{"id": "wamid.texto"}]})  # the text goes
    fake_graph.graph_error(131053, "Media upload error", details="Unsupported file type")
    deliver()

    _text, first, second = sent_rows(reply)
    assert first.state == ChannelDeliveryState.FAILED
    assert first.reason.startswith("WhatsApp refused the file uno.pdf: HTTP 400: code 131053")
    assert second.state == ChannelDeliveryState.SENT


def test_a_whatsapp_template_carries_no_attachments(
    client: Client, fake_graph: graph.FakeGraph
) -> None:
    chat = open_account("whatsapp", fake_graph.base_url, client, templates="seguimiento")
    ticket = chat.customer_writes("Hola")
    agent = agent_of(ticket)
    file = attach(agent, ticket, "factura.pdf", PDF)

    with pytest.raises(Invalid):
        agent_replies(
            ticket, "Lucía", agent=agent, template="seguimiento", attachment_ids=[file.pk]
        )
