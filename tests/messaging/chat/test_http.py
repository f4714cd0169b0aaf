"""The widget's HTTP side (configuration, uploads, CORS), its script's size, and the visitor's
panel on the chat ticket's page."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from atiende.messaging.chat import posting, services
from atiende.messaging.chat.services import Visitor
from atiende.tickets.models import Attachment, Ticket
from tests.factories import make_agent, make_group
from tests.messaging.chat.conftest import SITE, make_widget

pytestmark = pytest.mark.django_db

WIDGET_JS = Path(__file__).parents[3] / "src/atiende/web/static/web/widget/atiende-chat.js"


def _chat(widget: Any, token: str = "visitor-token-" + "x" * 20, **visitor: Any) -> Any:
    session = services.open_chat(widget, token, Visitor(**visitor))
    posting.post_message(session, client_id="c1", text="Hola, adjunto la factura")
    return session


def test_the_widget_script_is_small_when_gzipped() -> None:
    size = len(gzip.compress(WIDGET_JS.read_bytes(), compresslevel=9))
    assert size < 30 * 1024, f"atiende-chat.js is {size} bytes gzipped"


def test_the_configuration_answers_allowed_sites_with_cors(client: Client) -> None:
    widget = make_widget(title="Ayuda", language="es")
    answer = client.get(f"/chat/{widget.public_id}/config/", HTTP_ORIGIN=SITE)
    assert answer.status_code == 200
    assert answer["Access-Control-Allow-Origin"] == SITE and "Origin" in answer["Vary"]
    body = answer.json()
    assert body["title"] == "Ayuda" and body["language"] == "es"
    assert body["socket_url"] == f"ws://testserver/ws/chat/{widget.public_id}/"
    assert body["upload_url"].endswith(f"/chat/{widget.public_id}/upload/")
    # A site not on the list gets no configuration (and no CORS header to read it with).
    stranger = client.get(f"/chat/{widget.public_id}/config/", HTTP_ORIGIN="https://evil.test")
    assert stranger.status_code == 403 and "Access-Control-Allow-Origin" not in stranger
    assert client.get("/chat/nope/config/", HTTP_ORIGIN=SITE).status_code == 404


def test_a_preflight_allows_the_token_header(client: Client) -> None:
    widget = make_widget()
    answer = client.options(f"/chat/{widget.public_id}/upload/", HTTP_ORIGIN=SITE)
    assert answer.status_code == 204
    assert "X-Chat-Token" in answer["Access-Control-Allow-Headers"]


def test_a_visitor_uploads_a_file_then_sends_it(client: Client) -> None:
    widget = make_widget()
    session = _chat(widget)
    upload = SimpleUploadedFile("factura.pdf", b"%PDF-1.4 una factura", "application/pdf")
    answer = client.post(
        f"/chat/{widget.public_id}/upload/",
        {"file": upload},
        HTTP_ORIGIN=SITE,
        HTTP_X_CHAT_TOKEN="visitor-token-" + "x" * 20,
    )
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == SITE
    file_id = answer.json()["id"]
    session.refresh_from_db()
    posted = posting.post_message(session, client_id="c2", text="", attachment_ids=[file_id])
    attachment = Attachment.objects.get(pk=file_id)
    assert attachment.message_id == posted.message_id
    assert attachment.filename == "factura.pdf"
    # The same file cannot be sent twice, nor someone else's.
    with pytest.raises(Exception, match="Unknown or already sent"):
        posting.post_message(session, client_id="c3", text="", attachment_ids=[file_id])


def test_uploads_without_a_chat_or_too_large_are_refused(client: Client, settings: Any) -> None:
    settings.ATIENDE_CHAT = {"MAX_UPLOAD_BYTES": 1000}
    widget = make_widget()
    url = f"/chat/{widget.public_id}/upload/"
    token = "visitor-token-" + "x" * 20
    small = SimpleUploadedFile("a.txt", b"hola")
    assert client.post(url, {"file": small}, HTTP_ORIGIN=SITE).status_code == 401
    # A chat without a message yet: a file alone opens no ticket.
    services.open_chat(widget, token, Visitor())
    early = client.post(url, {"file": small}, HTTP_ORIGIN=SITE, HTTP_X_CHAT_TOKEN=token)
    assert early.status_code == 404 and "message first" in early.json()["detail"]
    posting.post_message(services.open_chat(widget, token, Visitor()), client_id="c", text="hi")
    big = SimpleUploadedFile("big.bin", b"x" * 1500)
    too_big = client.post(url, {"file": big}, HTTP_ORIGIN=SITE, HTTP_X_CHAT_TOKEN=token)
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"
    # Announced far too large: refused before the body is read.
    huge = client.generic(
        "POST",
        url,
        b"",
        "multipart/form-data; boundary=x",
        HTTP_ORIGIN=SITE,
        HTTP_X_CHAT_TOKEN=token,
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert huge.status_code == 413
    assert client.post(url, {}, HTTP_ORIGIN=SITE, HTTP_X_CHAT_TOKEN=token).status_code == 422
    evil = client.post(
        url, {"file": small}, HTTP_ORIGIN="https://evil.test", HTTP_X_CHAT_TOKEN=token
    )
    assert evil.status_code == 403
    assert not Attachment.objects.exists()


def test_the_ticket_page_shows_the_visitors_page_referrer_and_browser(client: Client) -> None:
    group = make_group()
    agent = make_agent(group)
    widget = make_widget(group)
    _chat(
        widget,
        page_url="https://shop.example.com/checkout?step=2",
        referrer="javascript:alert(1)",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    )
    ticket = Ticket.objects.get()
    client.force_login(agent)
    answer = client.get(f"/tickets/{ticket.pk}/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Chat visitor" in page
    assert 'href="https://shop.example.com/checkout?step=2"' in page
    assert "Chrome 131 · Windows" in page
    assert 'href="javascript:' not in page  # shown, never linked
    assert "data-chat-typing" in page and "web/chat/agent-chat" in page
