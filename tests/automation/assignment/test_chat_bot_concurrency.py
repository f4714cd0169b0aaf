"""Two visitors handed over by the bot at the same instant, on PostgreSQL, to one agent with
room for one chat: exactly one chat is assigned, the other waits and follows when the first
ends."""

from __future__ import annotations

import pytest
from django.db import connection

from atiende.accounts.services import update_availability
from atiende.messaging.chat import posting
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot.services import answer
from atiende.messaging.models import ChatSession
from atiende.tickets import services as tickets
from atiende.tickets.workload import agent_chat_load
from tests.api.test_concurrency import run_together
from tests.automation.assignment.helpers import (
    ADMIN,
    assignee_of,
    automatic_group,
    available_agent,
)
from tests.factories import make_admin, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.xdist_group("concurrency"),
]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers already; the race exists only on PostgreSQL")


def test_two_hand_overs_at_once_fill_one_chat_slot_once() -> None:
    admin = web(make_admin())
    write(admin, section_for(admin), title="Restablecer la contraseña", body="Pulsa el enlace.")
    group = automatic_group("least_load")
    agent = available_agent(group)
    update_availability(ADMIN, user_id=agent.pk, changes={"chat_capacity": 1})
    widget = make_widget(group, bot_enabled=True, language="es")
    asked = []
    for token in ("lucia", "pedro"):
        session = chat.open_chat(widget, token, chat.Visitor(language="es"))
        session = ChatSession.objects.select_related("widget").get(pk=session.pk)
        first = posting.post_message(session, client_id="c1", text="olvidé la contraseña")
        assert answer(session.pk, first.message_id) is not None
        session = ChatSession.objects.select_related("widget").get(pk=session.pk)
        again = posting.post_message(session, client_id="c2", text="quiero un agente")
        asked.append((session.pk, again.message_id, again.ticket_id))

    turns = run_together(2, lambda i: answer(asked[i][0], asked[i][1]))

    assert all(turn is not None and turn.handed_over for turn in turns), turns
    chats = [ticket_id for _session, _message, ticket_id in asked]
    assigned = [assignee_of(t) for t in chats]
    assert sorted(assigned, key=str) == sorted([agent.pk, None], key=str)
    assert agent_chat_load(agent.pk) == 1

    done = chats[assigned.index(agent.pk)]
    waiting = chats[assigned.index(None)]
    tickets.reply(web(agent), ticket_id=done, body="¡Listo!", status="solved")  # commits

    assert assignee_of(waiting) == agent.pk and agent_chat_load(agent.pk) == 1
