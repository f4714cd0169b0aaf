"""What the bot's replies are to the chat's ticket: the transcript, but no response of the team —
not its first response, no move from new to open, no SLA first reply fulfilled — and never a
mail to the visitor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from atiende.accounts.services import note_seen
from atiende.messaging.chat import posting
from atiende.messaging.chat import services as chat
from atiende.messaging.chat.bot.services import answer
from atiende.messaging.models import ChatSession, ChatWidget, OutboundEmail, OutboundKind
from atiende.sla.selectors import timers_of
from atiende.tickets import services as tickets
from atiende.tickets.models import StatusCategory, Ticket
from tests.factories import make_admin, make_agent, make_group, web
from tests.kb.search_helpers import _fresh_vocabulary, section_for, write  # noqa: F401
from tests.messaging.chat.conftest import make_widget

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def widget() -> ChatWidget:
    admin = web(make_admin())
    write(admin, section_for(admin), title="Restablecer la contraseña", body="Pulsa el enlace.")
    group = make_group()
    note_seen(make_agent(group).pk)
    return make_widget(group, bot_enabled=True, language="es")


def _chat(widget: ChatWidget, email: str = "") -> ChatSession:
    session = chat.open_chat(widget, "visitor-token", chat.Visitor(language="es"))
    if email:
        session = chat.give_email(session, email)
    return ChatSession.objects.select_related("widget", "customer").get(pk=session.pk)


def _ticket(session: ChatSession) -> Ticket:
    row = ChatSession.objects.get(pk=session.pk)
    return Ticket.objects.select_related("status").get(pk=row.ticket_id)


def _first_reply_timer(ticket: Ticket) -> Any:
    return next(t for t in timers_of(ticket.pk) if t.kind == "first_reply")


def test_the_bots_replies_are_no_first_response_and_leave_the_ticket_new(
    widget: ChatWidget,
) -> None:
    session = _chat(widget)
    with time_machine.travel(NOW, tick=False):
        posted = posting.post_message(session, client_id="c1", text="olvidé la contraseña")
        # The shipped "Chat y mensajería" policy: a chat's first reply is due in minutes.
        due = _ticket(session).first_response_due_at
        assert due is not None and due > NOW
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        offer = answer(session.pk, posted.message_id)
        again = posting.post_message(_chat(widget), client_id="c2", text="quiero un agente")
        handover = answer(session.pk, again.message_id)
    assert offer is not None and offer.articles and handover is not None and handover.handed_over
    ticket = _ticket(session)
    assert ticket.status.category == StatusCategory.NEW
    assert ticket.first_response_at is None
    assert ticket.first_response_due_at == due  # the clock still runs for the team
    timer = _first_reply_timer(ticket)
    assert timer.fulfilled_at is None and timer.stopped_at is None

    agent = make_agent(widget.group)
    reply_at = NOW + dt.timedelta(minutes=3)
    with time_machine.travel(reply_at, tick=False):
        tickets.reply(web(agent), ticket_id=ticket.pk, body="Hola, soy Ana.")
    ticket = _ticket(session)
    assert ticket.status.category == StatusCategory.OPEN
    assert ticket.first_response_at == reply_at
    assert _first_reply_timer(ticket).fulfilled_at == reply_at


def test_the_bots_replies_are_never_mailed(
    widget: ChatWidget, on_commit: Callable[..., Any]
) -> None:
    """The visitor left their email and closed the page: the team's reply goes by mail, the
    bot's never (it speaks in the widget only)."""
    session = _chat(widget, email="lucia@cliente.test")
    with time_machine.travel(NOW, tick=False), on_commit():
        posted = posting.post_message(session, client_id="c1", text="olvidé la contraseña")
        chat.note_seen(session.pk, online=False)  # the visitor's socket closed
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False), on_commit():
        turn = answer(session.pk, posted.message_id)
    assert turn is not None and turn.message_ids
    with time_machine.travel(NOW + dt.timedelta(minutes=6), tick=False), on_commit():
        asked = posting.post_message(_chat(widget), client_id="c2", text="una persona, por favor")
        chat.note_seen(session.pk, online=False)
    with time_machine.travel(NOW + dt.timedelta(minutes=8), tick=False), on_commit():
        handover = answer(session.pk, asked.message_id)
    assert handover is not None and handover.handed_over
    assert not OutboundEmail.objects.filter(kind=OutboundKind.REPLY).exists()

    agent = make_agent(widget.group)
    with time_machine.travel(NOW + dt.timedelta(minutes=9), tick=False), on_commit():
        reply = tickets.reply(web(agent), ticket_id=_ticket(session).pk, body="Hola, soy Ana.")
    (mail,) = OutboundEmail.objects.filter(kind=OutboundKind.REPLY)
    assert mail.to == ["lucia@cliente.test"] and mail.ticket_message_id == reply.pk
