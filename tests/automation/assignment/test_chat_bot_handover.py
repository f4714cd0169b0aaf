"""Assignment waits for the chat's bot (issue 16): while the bot answers a chat, its ticket is
nobody's and fills no one's chat capacity; the bot's hand-over (asked, keyword, second miss)
queues it for the group's strategy; a chat resolved by the bot is never assigned. Without a
bot, a chat is assigned as its first message opens the ticket.

Set up and driven through the services a visitor's socket calls (``posting.post_message``,
the bot's ``answer``), as in real use."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine

from atiende.accounts.models import Group, User
from atiende.accounts.services import update_availability
from atiende.automation.assignment import engine
from atiende.core.actor import Actor, Source
from atiende.core.event_types import ChatQueued
from atiende.messaging.chat import posting
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot.services import BotTurn, answer
from atiende.messaging.models import ChatHandler, ChatSession, ChatWidget
from atiende.tickets import services as tickets
from atiende.tickets.models import TicketEvent
from atiende.tickets.workload import agent_chat_load, unassigned_backlog
from tests.automation.assignment.helpers import (
    ADMIN,
    assignee_of,
    automatic_group,
    available_agent,
)
from tests.factories import make_admin, make_agent, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 7, 13, 0, tzinfo=datetime.UTC)
QUESTION = "olvidé la contraseña"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def help_center() -> None:
    """One public Spanish article, so the bot has something to offer (else it hands over)."""
    admin = web(make_admin())
    write(admin, section_for(admin), title="Restablecer la contraseña", body="Pulsa el enlace.")


def chat_agent(group: Group, chat_capacity: int | None = None) -> User:
    agent = available_agent(group)
    update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": chat_capacity})
    return agent


def visitor(widget: ChatWidget, token: str) -> ChatSession:
    session = chat.open_chat(widget, token, chat.Visitor(language="es"))
    return ChatSession.objects.select_related("widget", "customer").get(pk=session.pk)


def say(session: ChatSession, text: str, *, quick_reply: str | None = None) -> BotTurn | None:
    """The visitor writes; the bot answers it, as the socket does after each message."""
    fresh = ChatSession.objects.select_related("widget", "customer").get(pk=session.pk)
    client_id = f"c{fresh.receipts.count() + 1}"
    posted = posting.post_message(fresh, client_id=client_id, text=text)
    return answer(session.pk, posted.message_id, quick_reply=quick_reply)


def ticket_of(session: ChatSession) -> int:
    ticket_id = ChatSession.objects.get(pk=session.pk).ticket_id
    assert ticket_id is not None
    return ticket_id


def queued(events: list[object]) -> list[ChatQueued]:
    return [e for e in events if isinstance(e, ChatQueued)]


@pytest.mark.usefixtures("help_center")
def test_a_bots_chat_is_nobodys_until_the_visitor_asks_for_a_person(
    published: list[object],
) -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group, chat_capacity=2)
    session = visitor(make_widget(group, bot_enabled=True, language="es"), "lucia")

    offer = say(session, QUESTION)
    ticket_id = ticket_of(session)

    assert offer is not None and offer.articles and not offer.handed_over
    assert assignee_of(ticket_id) is None and agent_chat_load(agent.pk) == 0
    # Neither the backlog's drain nor a preview hands it out while the bot answers.
    assert engine.drain(group.pk) == [] and engine.preview(ticket_id) is None
    assert unassigned_backlog(group.pk, limit=10, chat=True) == [ticket_id]
    assert queued(published) == []

    handover = say(session, "No, talk to a person", quick_reply="person")

    assert handover is not None and handover.handed_over
    assert assignee_of(ticket_id) == agent.pk and agent_chat_load(agent.pk) == 1
    (event,) = queued(published)
    assert (event.ticket_id, event.session_id, event.reason) == (ticket_id, session.pk, "asked")
    assert event.source == Source.SYSTEM
    # The history names the group's assignment, as for any automatic assignment.
    change = TicketEvent.objects.get(ticket_id=ticket_id, field="assignee")
    assert change.source_detail == f"assignment:{group.pk}"


@pytest.mark.usefixtures("help_center")
@pytest.mark.parametrize(
    ("messages", "reason"),
    [
        (["quiero hablar con un agente"], "keyword"),
        (["xyzzy plugh", "qwertz asdfgh"], "second_miss"),
        ([QUESTION, "no, no me sirve", "tampoco"], "second_miss"),
    ],
    ids=["keyword", "two-misses", "offer-then-two-noes"],
)
def test_every_hand_over_queues_the_chat_for_the_groups_strategy(
    messages: list[str], reason: str, published: list[object]
) -> None:
    group = automatic_group("least_load")
    one, two = chat_agent(group), chat_agent(group)
    # A chat without the bot, already with one of them: least load gives the next to the other.
    first = visitor(make_widget(group), "earlier")
    say(first, "Hola")
    loaded = assignee_of(ticket_of(first))
    assert loaded in (one.pk, two.pk)
    other = two.pk if loaded == one.pk else one.pk
    session = visitor(make_widget(group, bot_enabled=True, language="es"), "lucia")

    turns = [say(session, text) for text in messages]

    assert all(turn is not None for turn in turns)
    assert [t.handed_over for t in turns if t is not None] == [False] * (len(messages) - 1) + [True]
    assert assignee_of(ticket_of(session)) == other
    assert [e.reason for e in queued(published)] == ["", reason]


def test_without_a_bot_a_chat_is_assigned_as_it_opens(published: list[object]) -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group, chat_capacity=1)
    session = visitor(make_widget(group), "lucia")

    assert say(session, "¿Tienen talle 38?") is None  # no bot turn

    ticket_id = ticket_of(session)
    assert assignee_of(ticket_id) == agent.pk and agent_chat_load(agent.pk) == 1
    (event,) = queued(published)
    assert (event.ticket_id, event.reason, event.source) == (ticket_id, "", Source.CHANNEL)
    # Later messages go into the same ticket: queued once.
    say(session, "¿Y en azul?")
    assert len(queued(published)) == 1


def test_a_chat_reopened_as_a_follow_up_is_assigned_again() -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group)
    session = visitor(make_widget(group), "lucia")
    say(session, "Hola")
    first = ticket_of(session)
    tickets.change_status(web(agent), ticket_id=first, status="closed")

    say(session, "Hola otra vez")

    follow_up = ticket_of(session)
    assert follow_up != first and assignee_of(follow_up) == agent.pk


@pytest.mark.usefixtures("help_center")
def test_a_chat_resolved_by_the_bot_is_never_assigned(on_commit: Callable[..., Any]) -> None:
    group = automatic_group("round_robin")
    agent = chat_agent(group, chat_capacity=0)
    session = visitor(make_widget(group, bot_enabled=True, language="es"), "lucia")

    say(session, QUESTION)
    resolved = say(session, "Sí, gracias", quick_reply="yes")
    assert resolved is not None and resolved.resolved and not resolved.handed_over

    ticket_id = ticket_of(session)
    # Room appears (which drains the backlog), the scheduler's drain runs: still nobody's.
    with on_commit():
        update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 5})
    assert engine.drain(group.pk) == []
    assert assignee_of(ticket_id) is None and agent_chat_load(agent.pk) == 0
    assert ChatSession.objects.get(pk=session.pk).handled_by == ChatHandler.BOT


@pytest.mark.usefixtures("help_center")
def test_the_backlog_skips_the_bots_chats_and_drains_the_waiting_one_behind_them(
    on_commit: Callable[..., Any],
) -> None:
    """A chat with the bot, older than a queued chat, must not use up the only free slot."""
    group = automatic_group("round_robin")
    agent = chat_agent(group, chat_capacity=0)
    with_bot = visitor(make_widget(group, bot_enabled=True, language="es"), "first")
    say(with_bot, QUESTION)
    waiting = visitor(make_widget(group), "second")
    say(waiting, "Hola, ¿hay alguien?")
    assert assignee_of(ticket_of(waiting)) is None  # everybody full

    with on_commit():
        update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 1})

    assert assignee_of(ticket_of(waiting)) == agent.pk
    assert assignee_of(ticket_of(with_bot)) is None


@pytest.mark.usefixtures("help_center")
def test_two_hand_overs_to_one_agent_with_room_for_one_chat(
    on_commit: Callable[..., Any],
) -> None:
    group = automatic_group("least_load")
    agent = chat_agent(group, chat_capacity=1)
    widget = make_widget(group, bot_enabled=True, language="es")
    lucia, pedro = visitor(widget, "lucia"), visitor(widget, "pedro")
    say(lucia, QUESTION)
    say(pedro, QUESTION)

    with on_commit():
        say(lucia, "quiero un agente")
        say(pedro, "una persona, por favor")

    first, second = ticket_of(lucia), ticket_of(pedro)
    assert (assignee_of(first), assignee_of(second)) == (agent.pk, None)
    assert agent_chat_load(agent.pk) == 1

    with on_commit():  # Lucía's chat is done: Pedro's, waiting, follows
        tickets.reply(web(agent), ticket_id=first, body="¡Listo!", status="solved")

    assert assignee_of(second) == agent.pk and agent_chat_load(agent.pk) == 1


@pytest.mark.usefixtures("help_center")
def test_an_agent_who_answers_a_bots_chat_takes_it() -> None:
    group = automatic_group("round_robin")
    chat_agent(group)
    replier = make_agent(group)
    session = visitor(make_widget(group, bot_enabled=True, language="es"), "lucia")
    say(session, QUESTION)
    ticket_id = ticket_of(session)
    assert assignee_of(ticket_id) is None

    tickets.reply(web(replier), ticket_id=ticket_id, body="Hola, soy Ana; te ayudo yo.")

    assert assignee_of(ticket_id) == replier.pk
    row = ChatSession.objects.get(pk=session.pk)
    assert (row.handled_by, row.agent_id) == (ChatHandler.AGENT, replier.pk)
    # The bot is done with it: the visitor's next message is not answered by it.
    assert say(session, "Gracias") is None


@pytest.mark.usefixtures("help_center")
def test_a_bots_chat_moved_to_another_automatic_group_still_waits() -> None:
    sales, support = automatic_group("round_robin"), automatic_group("round_robin")
    chat_agent(support)
    session = visitor(make_widget(sales, bot_enabled=True, language="es"), "lucia")
    say(session, QUESTION)
    ticket_id = ticket_of(session)

    tickets.update_ticket(
        ADMIN, ticket_id=ticket_id, version=None, changes={"group_id": support.pk}
    )

    assert assignee_of(ticket_id) is None
    say(session, "quiero un agente")
    assert assignee_of(ticket_id) is not None


def test_a_hand_over_of_a_chat_no_longer_the_bots_queues_nothing(
    published: list[object],
) -> None:
    group = automatic_group("round_robin")
    session = visitor(make_widget(group), "lucia")  # no bot: handled by the queue
    say(session, "Hola")
    before = len(queued(published))

    bot = Actor(user=None, source=Source.SYSTEM, detail="chat-bot:test")
    assert chat.hand_to_queue(bot, session_id=session.pk, reason="asked") is False
    assert len(queued(published)) == before
