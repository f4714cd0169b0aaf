"""A chat the bot resolved (the visitor said an article answered the question) is solved: its
ticket leaves the team's unassigned tickets, with a note naming the article and the bot as the
actor of the change; the visitor is told; writing again reopens it, and the bot (and its
hand-over to a person) carries on as usual.

Driven through the services the visitor's socket calls (``posting.post_message``, the bot's
``answer``), the inbox read through the web client as an agent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from atiende.accounts.models import Group, User
from atiende.automation.sources import source_names
from atiende.core.actor import Source
from atiende.core.event_types import ChatQueued, TicketUpdated
from atiende.core.language import default_language
from atiende.kb.services import articles
from atiende.messaging.chat import posting, selectors
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot.services import BotTurn, answer
from atiende.messaging.models import (
    BotOutcome,
    BotStage,
    ChatHandler,
    ChatSession,
    ChatWidget,
)
from atiende.tickets import tally
from atiende.tickets.models import Message, Status, StatusCategory, Ticket, TicketEvent
from atiende.tickets.services.config import update_status
from atiende.web.ticket.history import describe
from tests.automation.assignment.helpers import automatic_group, available_agent
from tests.factories import SYSTEM, make_admin, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget
from tests.web.inbox.conftest import signed_in

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)
TITLE = "Restablecer la contraseña"
SOLVED_TEXT = (
    "Glad it helped! I have marked your question as solved. If you need anything else, "
    "just write here."
)
UNSOLVED_TEXT = "Glad it helped! If you need anything else, write here."
HANDOVER = "I am passing you to a person; someone from the team will answer here shortly."


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def article() -> Any:
    admin = web(make_admin())
    section = section_for(admin)
    write(admin, section, title="Reset your password", body="Click the link.", language="en")
    return write(admin, section, title=TITLE, body="Pulsa el enlace del correo.")


@pytest.fixture
def group() -> Group:
    return automatic_group("round_robin")


@pytest.fixture
def agent(group: Group) -> User:
    return available_agent(group)


def counts(html: str) -> dict[str, int]:
    """Each inbox sidebar view's count, by its key (``data-view``)."""
    found = re.findall(r'data-view="([^"]+)"[^>]*>.*?<span class="count">(\d+)', html, re.S)
    return {key: int(n) for key, n in found}


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)]


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


class Visitor:
    """One visitor's chat; each message is answered by the bot, as the socket does."""

    def __init__(self, widget: ChatWidget, who: str = "lucia") -> None:
        """``who`` is the visitor's browser token (one chat per token)."""
        self.session_id = chat.open_chat(widget, who, chat.Visitor(language="es")).pk
        self.sent = 0

    @property
    def session(self) -> ChatSession:
        return ChatSession.objects.select_related("widget", "customer").get(pk=self.session_id)

    def says(self, text: str, quick_reply: str | None = None) -> BotTurn | None:
        self.sent += 1
        posted = posting.post_message(self.session, client_id=f"c{self.sent}", text=text)
        return answer(self.session_id, posted.message_id, quick_reply=quick_reply)

    @property
    def ticket(self) -> Ticket:
        ticket_id = self.session.ticket_id
        assert ticket_id is not None
        return Ticket.objects.select_related("status").get(pk=ticket_id)


def resolved_chat(widget: ChatWidget, who: str = "lucia") -> tuple[Visitor, BotTurn]:
    visitor = Visitor(widget, who)
    offer = visitor.says("olvidé la contraseña")
    assert offer is not None and offer.articles
    turn = visitor.says("Sí, gracias", quick_reply="yes")
    assert turn is not None and turn.resolved and not turn.handed_over
    return visitor, turn


def bot_said(turn: BotTurn) -> str:
    (message_id,) = turn.message_ids
    return Message.objects.get(pk=message_id).body_text


def key(value: object) -> object:
    """A status snapshot's key (the audit trail stores ``{"id", "key", "name"}``)."""
    assert isinstance(value, dict)
    return value["key"]


def status_changes(ticket: Ticket) -> list[tuple[object, object, str, str]]:
    rows = TicketEvent.objects.filter(ticket=ticket, field="status").order_by("pk")
    return [(key(e.old_value), key(e.new_value), e.source, e.source_detail) for e in rows]


def test_a_yes_solves_the_chats_ticket_as_the_bot_with_a_note_naming_the_article(
    article: Any, group: Group, agent: User, published: list[object]
) -> None:
    widget = make_widget(group, bot_enabled=True, language="es")
    visitor, turn = resolved_chat(widget)

    ticket = visitor.ticket
    assert ticket.status.category == StatusCategory.SOLVED and ticket.solved_at == T0
    assert ticket.assignee_id is None
    bot = f"chat-bot:{widget.pk}"
    assert status_changes(ticket) == [("new", "solved", Source.SYSTEM, bot)]
    (updated,) = [e for e in published if isinstance(e, TicketUpdated)]
    (change,) = updated.changes
    assert (change.field, key(change.old), key(change.new)) == ("status", "new", "solved")
    assert (updated.actor_id, updated.source, updated.source_detail) == (None, "system", bot)
    # The history names the widget's bot, in the reader's language.
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    with translation.override("en"):
        told = describe(event, sources=source_names([bot]))
    assert told.startswith("The chat bot of “Shop” changed status from")

    # The team reads which article answered it, in an internal note by the bot.
    (note,) = Message.objects.filter(ticket=ticket, public=False)
    assert note.author_id is None and note.channel == "chat"
    url = f"{settings.ATIENDE_SITE_URL}/help/es/articles/{article.article_id}-{article.slug}/"
    assert f"- {TITLE} ({url})" in note.body_text
    # The visitor is told, in the widget's language; the note never reaches them.
    assert bot_said(turn) == in_language("es", SOLVED_TEXT)
    transcript = [line["text"] for line in selectors.transcript(visitor.session, after=None)]
    assert transcript[-1] == in_language("es", SOLVED_TEXT)
    assert note.body_text not in transcript
    # The deflection record is the one the metric reads; nothing waits for assignment.
    (outcome,) = BotOutcome.objects.filter(session_id=visitor.session_id)
    assert (outcome.kind, outcome.articles) == ("resolved", [article.pk])
    assert not [e for e in published if isinstance(e, ChatQueued)]
    assert visitor.session.handled_by == ChatHandler.BOT


def test_the_solved_message_is_in_the_visitors_language(article: Any, group: Group) -> None:
    spanish, _turn = resolved_chat(make_widget(group, bot_enabled=True, language="es"))
    english_widget = make_widget(group, bot_enabled=True, language="en")
    english = Visitor(english_widget, "john")
    english.says("I forgot my password")
    turn = english.says("yes")
    assert turn is not None and turn.resolved

    assert bot_said(turn) == SOLVED_TEXT
    with translation.override("es"):
        expected = _(SOLVED_TEXT)
    said = selectors.transcript(spanish.session, after=None)[-1]["text"]
    assert said == expected
    assert english.ticket.status.category == StatusCategory.SOLVED


def test_a_resolved_chat_is_in_no_unassigned_view_and_the_tallies_hold(
    article: Any, group: Group, agent: User
) -> None:
    widget = make_widget(group, bot_enabled=True, language="es")
    waiting = Visitor(widget, "pedro")
    waiting.says("olvidé la contraseña")  # still with the bot: nobody's yet
    resolved, _turn = resolved_chat(widget)

    client = signed_in(agent)
    sidebar = counts(client.get(reverse("inbox")).content.decode())
    assert sidebar["unassigned"] == 1
    listed = row_ids(client.get(reverse("inbox") + "?view=unassigned").content.decode())
    assert listed == [waiting.ticket.pk]
    assert resolved.ticket.pk in row_ids(
        client.get(reverse("inbox") + "?view=solved").content.decode()
    )
    assert tally.kept() == tally.recount()


def test_writing_again_reopens_the_ticket_and_the_bot_answers_as_usual(
    article: Any, group: Group, agent: User, published: list[object], clock: Any
) -> None:
    widget = make_widget(group, bot_enabled=True, language="es")
    visitor, _turn = resolved_chat(widget)
    clock.shift(dt.timedelta(minutes=5))

    again = visitor.says("¿y cómo cambio el correo de la contraseña?")

    ticket = visitor.ticket
    assert ticket.status.category == StatusCategory.OPEN and ticket.solved_at is None
    customer = ticket.requester
    reopened = TicketEvent.objects.filter(ticket=ticket, field="status").order_by("pk").last()
    assert reopened is not None and reopened.actor_id == customer.pk
    assert (key(reopened.old_value), key(reopened.new_value)) == ("solved", "open")
    assert reopened.source == Source.CHANNEL
    # The bot has the chat still: it offers again, and the ticket waits for nobody but it.
    assert again is not None and again.articles and not again.handed_over
    assert visitor.session.handled_by == ChatHandler.BOT
    assert visitor.session.bot.stage == BotStage.OFFERED
    assert ticket.assignee_id is None
    assert tally.kept() == tally.recount()

    # Asking for a person hands it over: queued and assigned to the group's online agent.
    handover = visitor.says("quiero hablar con una persona")

    assert handover is not None and handover.handed_over
    assert in_language("es", HANDOVER) in bot_said(handover)
    assert visitor.ticket.assignee_id == agent.pk
    (queued,) = [e for e in published if isinstance(e, ChatQueued)]
    assert queued.reason == "keyword"
    kinds = list(
        BotOutcome.objects.filter(session_id=visitor.session_id)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["resolved", "handed_over"]
    assert tally.kept() == tally.recount()


def test_resolved_twice_the_ticket_is_solved_again(article: Any, group: Group) -> None:
    widget = make_widget(group, bot_enabled=True, language="es")
    visitor, _turn = resolved_chat(widget)
    visitor.says("otra pregunta sobre la contraseña")
    assert visitor.ticket.status.category == StatusCategory.OPEN

    turn = visitor.says("sí")

    assert turn is not None and turn.resolved
    assert [(old, new) for old, new, _s, _d in status_changes(visitor.ticket)] == [
        ("new", "solved"),
        ("solved", "open"),
        ("open", "solved"),
    ]
    assert Message.objects.filter(ticket=visitor.ticket, public=False).count() == 2
    assert tally.kept() == tally.recount()


def test_an_article_unpublished_since_it_was_offered_is_named_by_its_id(
    article: Any, group: Group
) -> None:
    admin = web(make_admin())
    write(admin, article.article.section_id, title="Descargar facturas", body="Desde Perfil.")
    widget = make_widget(group, bot_enabled=True, language="es")
    visitor = Visitor(widget)
    visitor.says("olvidé la contraseña")
    articles.archive(admin, translation_id=article.pk)

    turn = visitor.says("sí")

    assert turn is not None and turn.resolved
    (note,) = Message.objects.filter(ticket=visitor.ticket, public=False)
    with translation.override(default_language()):
        assert _("article #%(id)d (no longer public)") % {"id": article.pk} in note.body_text
    assert visitor.ticket.status.category == StatusCategory.SOLVED


def test_a_workflow_that_refuses_solving_hands_the_chat_to_the_team(
    article: Any, group: Group, agent: User, published: list[object]
) -> None:
    new = Status.objects.get(key="new")
    update_status(SYSTEM, status_id=new.pk, changes={"allowed_next": ["open"]})
    widget = make_widget(group, bot_enabled=True, language="es")

    visitor, turn = resolved_chat(widget)

    ticket = visitor.ticket
    assert ticket.status.key == "new" and status_changes(ticket) == []
    # The visitor is not told it was solved; the team is told why it is not.
    assert bot_said(turn) == in_language("es", UNSOLVED_TEXT)
    (note,) = Message.objects.filter(ticket=ticket, public=False)
    with translation.override(default_language()):
        assert _("The ticket could not be set to solved: %(reason)s") % {"reason": ""} in (
            note.body_text
        )
    # Not left unassigned: queued for the group and assigned at once.
    assert ticket.assignee_id == agent.pk
    (queued,) = [e for e in published if isinstance(e, ChatQueued)]
    assert queued.reason == "unsolved"
    assert visitor.session.handled_by == ChatHandler.QUEUE
    assert tally.kept() == tally.recount()
