"""The bot in front of the live chat, over the visitor's real socket: a question answered with
an article from the knowledge base, quick replies given again on a reconnection, a hand-over to
a person, and the agent's reply reaching the visitor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from atiende.accounts.services import note_seen
from atiende.messaging.models import BotOutcome, ChatHandler, ChatSession
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, StatusCategory, Ticket
from tests.factories import make_admin, make_agent, make_group, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget, receive_text, receive_type

pytestmark = [
    pytest.mark.usefixtures("thread_connections"),
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

db = database_sync_to_async
ARTICLE = "Cómo cambiar o restablecer tu contraseña"


def _team_and_help_center(*, bot: bool = True) -> tuple[Any, Any]:
    """A group with an agent online, a widget with the bot, and a published Spanish article."""
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    note_seen(agent.pk)
    admin = web(make_admin())
    section = section_for(admin)
    write(
        admin,
        section,
        title=ARTICLE,
        body="En la página de acceso pulsa ¿Has olvidado tu contraseña? y sigue el enlace.",
    )
    write(admin, section, title="Descargar facturas", body="Desde Perfil, Facturas.")
    return agent, make_widget(group, bot_enabled=bot, language="es")


async def _say(comm: Any, client_id: str, text: str, quick_reply: str | None = None) -> Any:
    frame: dict[str, Any] = {"type": "message", "client_id": client_id, "text": text}
    if quick_reply is not None:
        frame["quick_reply"] = quick_reply
    await comm.send_json_to(frame)
    return await receive_type(comm, "ack", "refused")


async def _bot_lines(comm: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The transcript messages received up to the ``bot`` frame, and that frame."""
    lines: list[dict[str, Any]] = []
    while True:
        frame = await receive_type(comm, "messages", "bot")
        if frame["type"] == "bot":
            return lines, frame
        lines.extend(frame["messages"])


async def test_the_bot_offers_an_article_then_hands_over_and_an_agent_answers(
    visit: Callable[..., Any],
) -> None:
    agent, widget = await db(_team_and_help_center)()
    comm, welcome = await visit(widget)
    assert welcome["handled_by"] == "bot" and welcome["quick_replies"] == []

    assert (await _say(comm, "c1", "no puedo cambiar mi contrasena"))["type"] == "ack"
    lines, bot = await _bot_lines(comm)
    # The bot's reply is a transcript message shown as the bot's, never as an unnamed agent.
    said = [m for m in lines if m["from"] == "bot"]
    assert len(said) == 1 and said[0]["name"] == "" and ARTICLE in said[0]["text"]
    assert [a["title"] for a in bot["articles"]] == [ARTICLE]
    assert bot["articles"][0]["url"].startswith(f"{settings.ATIENDE_SITE_URL}/help/es/articles/")
    assert [b["code"] for b in bot["quick_replies"]] == ["yes", "person"]
    assert bot["handed_over"] is False
    ticket = await db(Ticket.objects.select_related("status").get)()
    # The bot's answer is no response of the team: the ticket is still new.
    assert ticket.status.category == StatusCategory.NEW and ticket.first_response_at is None

    # The visitor reloads the page: the buttons come back with the transcript.
    token = welcome["token"]
    await comm.disconnect()
    comm, again = await visit(widget, token=token)
    assert [b["code"] for b in again["quick_replies"]] == ["yes", "person"]
    assert [m["from"] for m in again["messages"]] == ["visitor", "bot"]

    label = next(b["label"] for b in again["quick_replies"] if b["code"] == "person")
    assert (await _say(comm, "c2", label, quick_reply="person"))["type"] == "ack"
    lines, bot = await _bot_lines(comm)
    assert bot["handed_over"] is True and bot["agents_available"] is True
    assert bot["quick_replies"] == [] and bot["articles"] == []
    assert [m["from"] for m in lines] == ["visitor", "bot"]
    session = await db(ChatSession.objects.get)()
    assert session.handled_by == ChatHandler.QUEUE
    outcome = await db(BotOutcome.objects.get)()
    assert (outcome.kind, outcome.reason) == ("handed_over", "asked")

    # From now on a person answers: the bot stays silent, the agent's reply reaches the visitor.
    assert (await _say(comm, "c3", "Es la cuenta lucia@cliente.test"))["type"] == "ack"
    await db(tickets.reply)(web(agent), ticket_id=ticket.pk, body="Hola, soy Ana. Te ayudo.")
    frame = await receive_text(comm, "Hola, soy Ana. Te ayudo.")
    mine = [m for m in frame["messages"] if m["text"] == "Hola, soy Ana. Te ayudo."]
    assert [(m["from"], m["name"]) for m in mine] == [("agent", "Ana")]
    bodies = await db(
        lambda: list(
            Message.objects.filter(ticket=ticket, author__isnull=True).values_list("pk", flat=True)
        )
    )()
    assert len(bodies) == 2  # the offer and the hand-over: nothing after it
    await comm.disconnect()


async def test_a_resent_message_is_not_answered_twice(visit: Callable[..., Any]) -> None:
    _agent, widget = await db(_team_and_help_center)()
    comm, _welcome = await visit(widget)
    await _say(comm, "c1", "contraseña")
    await _bot_lines(comm)
    duplicate = await _say(comm, "c1", "contraseña")
    assert duplicate["duplicate"] is True
    await comm.send_json_to({"type": "ping"})
    assert (await receive_type(comm, "pong", "bot"))["type"] == "pong"
    count = await db(Message.objects.filter(author__isnull=True).count)()
    assert count == 1
    await comm.disconnect()


async def test_a_widget_without_the_bot_sends_no_bot_frame(visit: Callable[..., Any]) -> None:
    _agent, widget = await db(lambda: _team_and_help_center(bot=False))()
    comm, welcome = await visit(widget)
    assert welcome["handled_by"] == "queue"
    await _say(comm, "c1", "contraseña")
    await comm.send_json_to({"type": "ping"})
    assert (await receive_type(comm, "pong", "bot"))["type"] == "pong"
    assert not await db(Message.objects.filter(author__isnull=True).exists)()
    await comm.disconnect()


async def test_a_forged_quick_reply_is_read_as_the_visitors_words(
    visit: Callable[..., Any],
) -> None:
    """A ``quick_reply`` that is no button's code (a list, a long string, a number) changes
    nothing: the bot reads the text as it would any message."""
    _agent, widget = await db(_team_and_help_center)()
    comm, _welcome = await visit(widget)
    await comm.send_json_to(
        {"type": "message", "client_id": "c1", "text": "contraseña", "quick_reply": ["person"]}
    )
    assert (await receive_type(comm, "ack", "refused"))["type"] == "ack"
    _lines, bot = await _bot_lines(comm)
    assert bot["handed_over"] is False and bot["articles"]
    assert (await _say(comm, "c2", "otra cosa: facturas", quick_reply="x" * 500))["type"] == "ack"
    _lines, bot = await _bot_lines(comm)
    assert bot["handed_over"] is False and bot["articles"]
    await comm.send_json_to(
        {"type": "message", "client_id": "c3", "text": "quiero un agente", "quick_reply": 42}
    )
    assert (await receive_type(comm, "ack", "refused"))["type"] == "ack"
    _lines, bot = await _bot_lines(comm)
    assert bot["handed_over"] is True
    outcome = await db(BotOutcome.objects.get)()
    assert (outcome.kind, outcome.reason) == ("handed_over", "keyword")
    await comm.disconnect()
