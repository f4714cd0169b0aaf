"""The bot answering real chats (service level, no socket): a visitor's message posted into the
chat's ticket, the bot's replies written there through tickets.services, outcomes recorded,
the knowledge base searched through its own gate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.accounts.services import note_seen
from atiende.kb.models import SearchLog
from atiende.messaging.chat import posting, widgets
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot import selectors as bot_selectors
from atiende.messaging.chat.bot.services import BotTurn, answer
from atiende.messaging.models import (
    BotConversation,
    BotOutcome,
    BotStage,
    ChatHandler,
    ChatSession,
    ChatWidget,
)
from atiende.tickets import services as tickets
from atiende.tickets.models import Direction, Message
from tests.factories import SYSTEM, make_admin, make_agent, make_group, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget

pytestmark = pytest.mark.django_db

# The bot's sentences whole (a part of one is no message id: it would not be translated).
HANDOVER = "I am passing you to a person; someone from the team will answer here shortly."
NOTHING_FOUND = (
    "I found no article about that. Could you say it in other words? "
    "You can also ask to talk to a person."
)
ASK_AGAIN = (
    "Sorry about that. Tell me a little more, in other words, and I will look again; "
    "or ask to talk to a person."
)
NOBODY = (
    "No one from the team is available right now. Your message is saved and the team "
    "will answer it as soon as they can; leave your email to get the answer by mail."
)
PASSWORD_BODY = "Pulsa ¿Has olvidado tu contraseña? en la página de acceso y abre el enlace."


@pytest.fixture
def kb() -> dict[str, Any]:
    """A small help center: Spanish and English public articles, one internal, one draft."""
    admin = web(make_admin())
    section = section_for(admin)
    return {
        "password": write(
            admin, section, title="Cómo restablecer la contraseña", body=PASSWORD_BODY
        ),
        "invoice": write(
            admin, section, title="Descargar facturas", body="Desde Perfil, Facturas."
        ),
        "internal": write(
            admin,
            section,
            title="Contraseña del servidor interno",
            body="Solo para agentes: la contraseña del servidor.",
            visibility="internal",
        ),
        "draft": write(
            admin, section, title="Contraseña olvidada (borrador)", body="x", publish=False
        ),
        "english": write(
            admin,
            section,
            title="How to reset your password",
            body="Click Forgot your password on the sign-in page.",
            language="en",
        ),
    }


@pytest.fixture
def widget() -> ChatWidget:
    group = make_group()
    note_seen(make_agent(group).pk)  # someone is online to take a hand-over
    return make_widget(group, bot_enabled=True, language="es")


def open_chat(widget: ChatWidget, key: str = "visitor-1") -> ChatSession:
    return chat.open_chat(widget, key, chat.Visitor(language="es-ES"))


class Visitor:
    """A visitor typing into one chat; each message is answered by the bot."""

    def __init__(self, session: ChatSession) -> None:
        self.session_id = session.pk
        self.sent = 0

    @property
    def session(self) -> ChatSession:
        return ChatSession.objects.select_related("widget", "customer").get(pk=self.session_id)

    def post(self, text: str) -> int:
        self.sent += 1
        posted = posting.post_message(self.session, client_id=f"c{self.sent}", text=text)
        return posted.message_id

    def says(self, text: str, quick_reply: str | None = None) -> BotTurn | None:
        return answer(self.session_id, self.post(text), quick_reply=quick_reply)


def bot_text(turn: BotTurn | None) -> str:
    assert turn is not None and len(turn.message_ids) == 1
    return Message.objects.get(pk=turn.message_ids[0]).body_text


def outcomes(session_id: int) -> list[tuple[str, str]]:
    rows = BotOutcome.objects.filter(session_id=session_id).order_by("pk")
    return [(row.kind, row.reason) for row in rows]


def spanish(message: str) -> str:
    with translation.override("es"):
        return _(message)


def test_a_spanish_question_without_accents_finds_the_public_spanish_article(
    kb: dict[str, Any], widget: ChatWidget
) -> None:
    visitor = Visitor(open_chat(widget))
    turn = visitor.says("No recuerdo mi contrasena")
    assert turn is not None and not turn.handed_over
    password = kb["password"]
    # Public, published and Spanish only: not the internal one, the draft or the English one.
    assert [a["title"] for a in turn.articles] == ["Cómo restablecer la contraseña"]
    path = f"/help/es/articles/{password.article_id}-{password.slug}/"
    assert turn.articles[0]["url"] == settings.ATIENDE_SITE_URL + path
    assert (
        "contraseña" in turn.articles[0]["excerpt"] and "<mark>" not in turn.articles[0]["excerpt"]
    )
    assert [b["code"] for b in turn.quick_replies] == ["yes", "person"]
    # The reply is a public outbound message of the chat's ticket, by the system: transcript.
    reply = Message.objects.get(pk=turn.message_ids[0])
    assert reply.public and reply.author_id is None and reply.direction == Direction.OUTBOUND
    assert reply.channel == "chat" and reply.ticket_id == visitor.session.ticket_id
    assert "Cómo restablecer la contraseña" in reply.body_text
    assert turn.articles[0]["url"] in reply.body_text
    assert spanish("Does this answer your question?") in reply.body_text
    assert reply.body_text.startswith(spanish("Hello! I am the virtual assistant."))
    # The bot's reply does not take the chat away from the bot (only an agent's does).
    assert visitor.session.handled_by == ChatHandler.BOT
    conversation = BotConversation.objects.get(session_id=visitor.session_id)
    assert conversation.stage == BotStage.OFFERED and conversation.offered == [password.pk]
    # The knowledge base counts the bot's question (source "bot").
    logged = SearchLog.objects.get(source="bot")
    assert (logged.query, logged.language, logged.results) == ("No recuerdo mi contrasena", "es", 1)


def test_yes_is_recorded_as_resolved_by_the_bot(kb: dict[str, Any], widget: ChatWidget) -> None:
    visitor = Visitor(open_chat(widget))
    visitor.says("¿Cómo cambio la contraseña?")
    turn = visitor.says("¡Sí, gracias!")
    assert turn is not None and turn.resolved and not turn.handed_over
    assert bot_text(turn) == spanish(
        "Glad it helped! I have marked your question as solved. If you need anything else, "
        "just write here."
    )
    (outcome,) = BotOutcome.objects.filter(session_id=visitor.session_id)
    assert (outcome.kind, outcome.reason) == ("resolved", "")
    assert outcome.articles == [kb["password"].pk] and outcome.widget_id == widget.pk
    assert visitor.session.handled_by == ChatHandler.BOT
    # The quick reply's code works whatever the label said.
    other = Visitor(open_chat(widget, "visitor-token-2"))
    other.says("contraseña")
    assert other.says("Yes, thanks", quick_reply="yes").resolved  # type: ignore[union-attr]


def test_without_a_knowledge_base_the_bot_greets_and_hands_over(widget: ChatWidget) -> None:
    admin = web(make_admin())
    write(admin, section_for(admin), title="Solo agentes", body="x", visibility="internal")
    visitor = Visitor(open_chat(widget))
    turn = visitor.says("Hola, tengo un problema con mi pedido")
    assert turn is not None and turn.handed_over and turn.reason == "no_kb"
    text = bot_text(turn)
    assert text.startswith(spanish("Hello! I am the virtual assistant."))
    assert spanish(HANDOVER) in text
    assert visitor.session.handled_by == ChatHandler.QUEUE
    assert outcomes(visitor.session_id) == [("handed_over", "no_kb")]
    # From now on people answer: the bot stays silent.
    assert visitor.says("¿Hay alguien?") is None
    assert not SearchLog.objects.exists()  # nothing to search: no search logged


def test_nothing_found_twice_hands_over(kb: dict[str, Any], widget: ChatWidget) -> None:
    visitor = Visitor(open_chat(widget))
    first = visitor.says("zzzz qqqq")
    assert first is not None and not first.handed_over
    assert [b["code"] for b in first.quick_replies] == ["person"]
    assert spanish(NOTHING_FOUND) in bot_text(first)
    second = visitor.says("wwww xxxx")
    assert second is not None and second.handed_over and second.reason == "second_miss"
    assert outcomes(visitor.session_id) == [("handed_over", "second_miss")]
    assert visitor.session.handled_by == ChatHandler.QUEUE


def test_no_twice_hands_over(kb: dict[str, Any], widget: ChatWidget) -> None:
    visitor = Visitor(open_chat(widget))
    visitor.says("contraseña")
    again = visitor.says("No, no me sirve")
    assert again is not None and not again.handed_over
    assert spanish(ASK_AGAIN) in bot_text(again)
    visitor.says("restablecer contraseña")  # offered again
    last = visitor.says("no")
    assert last is not None and last.handed_over and last.reason == "second_miss"
    assert outcomes(visitor.session_id) == [("handed_over", "second_miss")]


@pytest.mark.parametrize(
    ("text", "quick_reply", "reason"),
    [
        ("Quiero hablar con un AGÉNTE", None, "keyword"),
        ("I want a human", None, "keyword"),
        ("¿puedo hablar con alguien?", None, "keyword"),
        ("No, hablar con una persona", "person", "asked"),
    ],
)
def test_asking_for_a_person_hands_over(
    kb: dict[str, Any], widget: ChatWidget, text: str, quick_reply: str | None, reason: str
) -> None:
    visitor = Visitor(open_chat(widget))
    visitor.says("contraseña")
    turn = visitor.says(text, quick_reply=quick_reply)
    assert turn is not None and turn.handed_over and turn.reason == reason
    assert turn.agents_available and turn.quick_replies == []
    assert outcomes(visitor.session_id) == [("handed_over", reason)]
    outcome = BotOutcome.objects.get(session_id=visitor.session_id)
    assert outcome.articles == [kb["password"].pk]


def test_a_hand_over_with_nobody_online_says_so(kb: dict[str, Any]) -> None:
    widget = make_widget(make_group(), bot_enabled=True, language="es")
    visitor = Visitor(open_chat(widget))
    turn = visitor.says("agente")
    assert turn is not None and turn.handed_over and not turn.agents_available
    assert spanish(NOBODY) in bot_text(turn)


def test_a_bot_switched_off_while_chats_wait_hands_them_over(
    kb: dict[str, Any], widget: ChatWidget
) -> None:
    visitor = Visitor(open_chat(widget))
    visitor.says("contraseña")
    widgets.update_widget(SYSTEM, widget_id=widget.pk, changes={"bot_enabled": False})
    turn = visitor.says("Sí")
    assert turn is not None and turn.handed_over and turn.reason == "bot_off"
    assert outcomes(visitor.session_id) == [("handed_over", "bot_off")]


def test_a_widget_without_the_bot_is_never_answered(kb: dict[str, Any]) -> None:
    plain = make_widget(make_group(), bot_enabled=False)
    visitor = Visitor(open_chat(plain))
    assert visitor.session.handled_by == ChatHandler.QUEUE
    assert visitor.says("contraseña") is None
    assert not BotConversation.objects.exists() and not BotOutcome.objects.exists()


def test_a_message_is_answered_once(kb: dict[str, Any], widget: ChatWidget) -> None:
    visitor = Visitor(open_chat(widget))
    message_id = visitor.post("contraseña")
    assert answer(visitor.session_id, message_id) is not None
    assert answer(visitor.session_id, message_id) is None  # a resend after a reconnection
    ticket_id = visitor.session.ticket_id
    bot_replies = Message.objects.filter(ticket_id=ticket_id, author__isnull=True)
    assert bot_replies.count() == 1
    # Only the visitor's own messages of this chat's ticket are answered.
    assert answer(visitor.session_id, bot_replies.get().pk) is None
    assert answer(visitor.session_id, 10**9) is None


def test_once_an_agent_answers_the_bot_stays_silent(kb: dict[str, Any], widget: ChatWidget) -> None:
    visitor = Visitor(open_chat(widget))
    visitor.says("contraseña")
    agent = make_agent(widget.group) if widget.group else make_agent()
    ticket_id = visitor.session.ticket_id
    assert ticket_id is not None
    tickets.add_message(web(agent), ticket_id=ticket_id, body="Hola, soy Ana. ¿Te ayudo?")
    assert visitor.session.handled_by == ChatHandler.AGENT
    assert visitor.says("sí") is None


def test_an_english_widget_offers_english_articles(kb: dict[str, Any]) -> None:
    group = make_group()
    note_seen(make_agent(group).pk)
    widget = make_widget(group, bot_enabled=True, language="en")
    visitor = Visitor(open_chat(widget))
    turn = visitor.says("I forgot my password")
    assert turn is not None
    assert [a["title"] for a in turn.articles] == ["How to reset your password"]
    assert "/help/en/articles/" in turn.articles[0]["url"]


def test_the_buttons_are_given_again_on_a_reconnection(
    kb: dict[str, Any], widget: ChatWidget
) -> None:
    visitor = Visitor(open_chat(widget))
    assert bot_selectors.pending_quick_replies(visitor.session) == []
    visitor.says("contraseña")
    codes = [b["code"] for b in bot_selectors.pending_quick_replies(visitor.session)]
    assert codes == ["yes", "person"]
    visitor.says("agente")
    assert bot_selectors.pending_quick_replies(visitor.session) == []


def test_the_deflection_rate_counts_each_chat_by_its_last_outcome(
    kb: dict[str, Any], widget: ChatWidget
) -> None:
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=10), tick=False):
        Visitor(open_chat(widget, "t-old")).says("agente")
    resolved = Visitor(open_chat(widget, "t-resolved"))
    resolved.says("contraseña")
    resolved.says("sí")
    asked = Visitor(open_chat(widget, "t-asked"))
    asked.says("agente")
    # Resolved, then a person after all: counts once, as handed over.
    changed = Visitor(open_chat(widget, "t-changed"))
    changed.says("contraseña")
    changed.says("sí")
    changed.says("quiero hablar con una persona")
    twice = Visitor(open_chat(widget, "t-twice"))
    twice.says("contraseña")
    twice.says("sí")
    twice.says("facturas")
    twice.says("sí")
    rate = bot_selectors.deflection(start - timedelta(minutes=1))
    assert (rate.resolved, rate.handed_over) == (2, 2)
    assert rate.reasons == {"keyword": 2}
    assert rate.rate == 0.5
    # Another widget's chats count only for it.
    other = make_widget(make_group(), bot_enabled=True, language="es")
    Visitor(open_chat(other, "t-other")).says("agente")
    assert bot_selectors.deflection(start - timedelta(minutes=1), widget_id=other.pk).rate == 0.0
    assert bot_selectors.deflection(start - timedelta(minutes=1), widget_id=widget.pk).rate == 0.5
    # A period with no outcome has no rate.
    assert bot_selectors.deflection(start + timedelta(days=1)).rate is None
    # The old chat counts only in a period that holds it.
    old = bot_selectors.deflection(start - timedelta(days=11), start - timedelta(days=9))
    assert (old.resolved, old.handed_over, old.rate) == (0, 1, 0.0)
