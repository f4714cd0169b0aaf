"""Files over the visitor's socket: an agent's reply with files reaches the widget with each
file's name, size and signed link; the visitor's own upload is acknowledged with its link."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from atiende.accounts.services import note_seen
from atiende.messaging.chat import posting, selectors
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from tests.factories import make_agent, make_group, web
from tests.messaging.channels.media_files import PDF, attach, png
from tests.messaging.chat.conftest import make_widget, receive_type

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

db = database_sync_to_async


def _team() -> tuple[Any, Any]:
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    note_seen(agent.pk)
    return agent, make_widget(group)


def _reply_with_files(agent: Any, ticket: Ticket) -> list[Any]:
    pdf = attach(agent, ticket, "factura.pdf", PDF)
    note_file = attach(agent, ticket, "interno.pdf", PDF)
    tickets.add_message(
        web(agent), ticket_id=ticket.pk, body="Nota", public=False, attachment_ids=[note_file.pk]
    )
    tickets.reply(web(agent), ticket_id=ticket.pk, body="Tu factura", attachment_ids=[pdf.pk])
    return [pdf, note_file]


async def test_an_agents_files_reach_the_visitor_as_links(visit: Callable[..., Any]) -> None:
    agent, widget = await db(_team)()
    comm, _welcome = await visit(widget)
    await comm.send_json_to({"type": "message", "client_id": "c1", "text": "¿Y la factura?"})
    await receive_type(comm, "ack")
    ticket = await db(Ticket.objects.get)()

    pdf, note_file = await db(_reply_with_files)(agent, ticket)

    frame = await receive_type(comm, "messages")
    while not any(m["text"] == "Tu factura" for m in frame["messages"]):
        frame = await receive_type(comm, "messages")
    lines = frame["messages"]
    assert "Nota" not in [m["text"] for m in lines]  # the note never, nor its file
    (reply,) = [m for m in lines if m["text"] == "Tu factura"]
    (file,) = reply["files"]
    assert (file["id"], file["name"], file["size"]) == (pdf.pk, "factura.pdf", len(PDF))
    assert file["url"].startswith("/chat/files/") and file["url"].endswith("/factura.pdf")
    assert note_file.pk not in [f["id"] for m in lines for f in m["files"]]
    answer = await db(Client().get)(file["url"])
    assert answer.status_code == 200 and answer["X-Content-Type-Options"] == "nosniff"
    await comm.disconnect()


async def test_the_visitors_upload_is_acknowledged_with_its_link(
    visit: Callable[..., Any],
) -> None:
    _agent, widget = await db(_team)()
    comm, welcome = await visit(widget)
    await comm.send_json_to({"type": "message", "client_id": "c1", "text": "Mira la foto"})
    await receive_type(comm, "ack")
    session = await db(selectors.session_for)(widget, welcome["token"])
    upload = await db(posting.store_upload)(session, filename="foto.png", stream=io.BytesIO(png()))

    await comm.send_json_to(
        {"type": "message", "client_id": "c2", "text": "", "attachment_ids": [upload.pk]}
    )
    ack = await receive_type(comm, "ack")

    (file,) = ack["files"]
    assert (file["id"], file["name"], file["size"]) == (upload.pk, "foto.png", len(png()))
    answer = await db(Client().get)(file["url"])
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    # A message without files is acknowledged as before.
    await comm.send_json_to({"type": "message", "client_id": "c3", "text": "Gracias"})
    assert "files" not in await receive_type(comm, "ack")
    await comm.disconnect()
