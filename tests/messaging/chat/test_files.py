"""The chat's files for its visitor: the transcript lists each file of a public message with its
name, size and a signed link scoped to the chat; the link serves the file safely while valid,
and anything else — a tampered, expired or borrowed token, another chat's file, an internal
note's file, a file deleted since — is a bare 404 that tells nothing."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from atiende.messaging.channels import file_links as provider_links
from atiende.messaging.chat import config, file_links, posting, selectors, widgets
from atiende.messaging.chat import services as chat
from atiende.messaging.models import ChatSession, ChatWidget
from atiende.tickets import services as tickets
from atiende.tickets.models import Attachment
from tests.factories import SYSTEM, make_admin, make_agent, make_group, web
from tests.messaging.channels.media_files import PDF, attach, png
from tests.messaging.chat.conftest import make_widget

pytestmark = pytest.mark.django_db


def visitor_chat(widget: ChatWidget, token: str) -> ChatSession:
    session = chat.open_chat(widget, token, chat.Visitor(language="es"))
    posting.post_message(session, client_id="c1", text="Hola, ¿me mandan la factura?")
    return ChatSession.objects.select_related("widget", "customer").get(pk=session.pk)


@pytest.fixture
def scene() -> dict[str, Any]:
    """A chat whose agent replied with a PDF and an image, and wrote a note with a file."""
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    widget = make_widget(group)
    session = visitor_chat(widget, "lucia-token")
    assert session.ticket is not None
    ticket = session.ticket
    pdf = attach(agent, ticket, "factura de marzo.pdf", PDF)
    image = attach(agent, ticket, "foto.png", png())
    secret = attach(agent, ticket, "interno.pdf", PDF)
    tickets.reply(
        web(agent), ticket_id=ticket.pk, body="Aquí la tienes", attachment_ids=[pdf.pk, image.pk]
    )
    tickets.add_message(
        web(agent),
        ticket_id=ticket.pk,
        body="Cliente VIP",
        public=False,
        attachment_ids=[secret.pk],
    )
    for file in (pdf, image, secret):
        file.refresh_from_db()
    return {"widget": widget, "session": session, "pdf": pdf, "image": image, "secret": secret}


def files_in_transcript(session: ChatSession) -> list[dict[str, Any]]:
    return [f for line in selectors.transcript(session, after=None) for f in line["files"]]


def test_the_transcript_lists_the_agents_files_with_name_size_and_link(
    client: Client, scene: dict[str, Any]
) -> None:
    listed = files_in_transcript(scene["session"])

    pdf, image = scene["pdf"], scene["image"]
    assert [(f["id"], f["name"], f["size"]) for f in listed] == [
        (pdf.pk, "factura de marzo.pdf", len(PDF)),
        (image.pk, "foto.png", image.size),
    ]
    assert all(f["url"].startswith("/chat/files/") for f in listed)
    assert listed[0]["url"].endswith("/factura%20de%20marzo.pdf")

    download = client.get(listed[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download["Cache-Control"] == "private, no-store"
    assert download["Referrer-Policy"] == "no-referrer"
    # An image opens in the browser, still sniff-proof and sandboxed.
    shown = client.get(listed[1]["url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert client.head(listed[0]["url"]).status_code == 200
    assert client.post(listed[0]["url"]).status_code == 405


def test_an_internal_notes_file_is_never_listed_nor_served(
    client: Client, scene: dict[str, Any]
) -> None:
    session, secret = scene["session"], scene["secret"]
    assert secret.pk not in {f["id"] for f in files_in_transcript(session)}

    # Even a token properly signed for it (it never is) serves nothing.
    answer = client.get(file_links.link(session.pk, secret))
    assert answer.status_code == 404 and answer.content == b""


def test_a_tampered_cut_or_foreign_token_is_not_found(
    client: Client, scene: dict[str, Any]
) -> None:
    session, pdf = scene["session"], scene["pdf"]
    name = quote(pdf.filename)
    token = file_links.sign(session.pk, pdf)
    forged_claim = signing.dumps({"s": session.pk, "a": pdf.pk, "h": "0" * 16}, salt="other")
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        token[: len(token) // 2],  # cut
        "not-a-token",
        forged_claim,  # signed with another salt
        signing.dumps([session.pk, pdf.pk], salt=file_links.SALT),  # not the claim's shape
        signing.dumps({"s": "1", "a": pdf.pk, "h": "x"}, salt=file_links.SALT),  # wrong types
        provider_links.sign(pdf),  # a provider's link token for the same file
    ]
    for bad in tampered:
        answer = client.get(f"/chat/files/{bad}/{name}")
        assert answer.status_code == 404, bad
        assert answer.content == b""
    # The right token with another name, or another file's content hash.
    assert client.get(f"/chat/files/{token}/otra.pdf").status_code == 404
    other_hash = signing.dumps(
        {"s": session.pk, "a": pdf.pk, "h": scene["image"].sha256[:16]}, salt=file_links.SALT
    )
    assert client.get(f"/chat/files/{other_hash}/{name}").status_code == 404
    assert client.get(f"/chat/files/{token}/{name}").status_code == 200


def test_an_expired_link_is_not_found(client: Client, scene: dict[str, Any]) -> None:
    url = file_links.link(scene["session"].pk, scene["pdf"])
    valid_for = timedelta(seconds=config.value("FILE_LINK_SECONDS"))

    with time_machine.travel(timezone.now() + valid_for - timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + valid_for + timedelta(seconds=5), tick=False):
        assert client.get(url).status_code == 404


def test_the_link_lasts_as_configured(client: Client, scene: dict[str, Any], settings: Any) -> None:
    settings.ATIENDE_CHAT = {"FILE_LINK_SECONDS": 60}
    url = file_links.link(scene["session"].pk, scene["pdf"])
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        assert client.get(url).status_code == 404


def test_another_chats_file_is_not_found(client: Client, scene: dict[str, Any]) -> None:
    """Pedro's chat on the same widget cannot reach Lucía's files, even with a token signed
    for his chat and her file; nor can hers reach his."""
    pedro = visitor_chat(scene["widget"], "pedro-token")
    assert pedro.ticket_id != scene["session"].ticket_id
    assert files_in_transcript(pedro) == []

    assert client.get(file_links.link(pedro.pk, scene["pdf"])).status_code == 404
    agent = make_agent(scene["widget"].group)
    assert pedro.ticket is not None
    his = attach(agent, pedro.ticket, "suya.pdf", PDF)
    tickets.reply(web(agent), ticket_id=pedro.ticket_id, body="La tuya", attachment_ids=[his.pk])
    his.refresh_from_db()
    assert client.get(file_links.link(scene["session"].pk, his)).status_code == 404
    assert client.get(file_links.link(pedro.pk, his)).status_code == 200


def test_a_deleted_file_is_not_found(client: Client, scene: dict[str, Any]) -> None:
    session, pdf, image = scene["session"], scene["pdf"], scene["image"]
    pdf_url, image_url = file_links.link(session.pk, pdf), file_links.link(session.pk, image)

    image.file.storage.delete(image.file.name)  # gone from storage, row still there
    assert client.get(image_url).status_code == 404

    assert session.ticket_id is not None
    tickets.delete_ticket(web(make_admin()), ticket_id=session.ticket_id)
    assert not Attachment.objects.filter(pk=pdf.pk).exists()
    assert client.get(pdf_url).status_code == 404


def test_an_inactive_widgets_links_are_not_found(client: Client, scene: dict[str, Any]) -> None:
    url = file_links.link(scene["session"].pk, scene["pdf"])
    widgets.update_widget(SYSTEM, widget_id=scene["widget"].pk, changes={"active": False})
    assert client.get(url).status_code == 404


def test_a_follow_up_ticket_leaves_the_old_tickets_files_behind(
    client: Client, scene: dict[str, Any]
) -> None:
    session = scene["session"]
    url = file_links.link(session.pk, scene["pdf"])
    assert session.ticket_id is not None
    tickets.change_status(web(make_admin()), ticket_id=session.ticket_id, status="closed")
    fresh = ChatSession.objects.select_related("widget", "customer").get(pk=session.pk)
    posting.post_message(fresh, client_id="c9", text="Hola otra vez")

    assert client.get(url).status_code == 404
    assert files_in_transcript(ChatSession.objects.get(pk=session.pk)) == []


def test_the_visitors_own_upload_is_listed_and_downloadable_once_sent(client: Client) -> None:
    widget = make_widget(make_group())
    session = visitor_chat(widget, "lucia-token")
    upload = posting.store_upload(session, filename="captura.png", stream=io.BytesIO(png()))
    # Not yet sent: not in the transcript, and no link serves it.
    assert files_in_transcript(session) == []
    assert client.get(file_links.link(session.pk, upload)).status_code == 404

    posted = posting.post_message(session, client_id="c2", text="", attachment_ids=[upload.pk])

    (listed,) = files_in_transcript(session)
    assert (listed["id"], listed["name"], listed["size"]) == (upload.pk, "captura.png", len(png()))
    assert client.get(listed["url"]).status_code == 200
    files = selectors.message_files(session, [posted.message_id])
    assert [f["id"] for f in files[posted.message_id]] == [upload.pk]
