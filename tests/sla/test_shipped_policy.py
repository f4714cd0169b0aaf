"""The shipped "Chat y mensajería" policy: conversations on chat and messaging apps are
answered in minutes; email and the other channels are left to the admins' policies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from atiende.sla.selectors import timers_of
from atiende.tickets.models import Ticket
from tests.factories import make_ticket
from tests.sla.helpers import standard_policy

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 17, 30, tzinfo=dt.UTC)


def due(ticket: Ticket) -> dict[str, dt.timedelta]:
    return {timer.kind: timer.due_at - NOW for timer in timers_of(ticket.pk) if timer.due_at}


@pytest.mark.parametrize("channel", ["chat", "whatsapp", "telegram", "sms", "social"])
@pytest.mark.parametrize(("priority", "minutes"), [("urgent", 5), ("normal", 15), ("low", 30)])
def test_a_conversation_on_chat_or_a_messaging_app_is_due_in_minutes(
    channel: str, priority: str, minutes: int
) -> None:
    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(channel=channel, priority=priority)
    assert due(ticket) == {"first_reply": dt.timedelta(minutes=minutes)}
    mirrored = Ticket.objects.get(pk=ticket.pk).first_response_due_at  # the inbox's column
    assert mirrored == NOW + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("channel", ["email", "portal", "phone", "api", "alert"])
def test_other_channels_are_left_to_the_admins_policies(channel: str) -> None:
    with time_machine.travel(NOW, tick=False):
        untouched = make_ticket(channel=channel)
        standard_policy()
        covered = make_ticket(channel=channel)
    assert timers_of(untouched.pk) == []
    assert "first_reply" in due(covered)
