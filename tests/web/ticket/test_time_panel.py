"""The time panel: start and stop a timer, log minutes by hand, see the entries and total."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from atiende.accounts.models import User
from atiende.tickets.models import Ticket, TimeEntry
from tests.factories import make_agent, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def act(client: Any, ticket: Ticket, action: str, hx: dict[str, str], **data: Any) -> Any:
    return client.post(reverse("ticket-time-action", args=[ticket.pk, action]), data, headers=hx)


def test_timer_start_and_stop(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    started = act(client, ticket, "start", hx)
    assert started.status_code == 200
    assert "Your timer is running" in started.content.decode()
    assert "Stop timer" in started.content.decode()

    again = act(client, ticket, "start", hx)
    assert again.status_code == 409
    assert "already running" in again.content.decode()
    assert TimeEntry.objects.filter(ticket=ticket, running=True).count() == 1

    stopped = act(client, ticket, "stop", hx, note="on the phone")
    assert stopped.status_code == 200
    assert "Start timer" in stopped.content.decode()
    assert "on the phone" in stopped.content.decode()
    assert not TimeEntry.objects.filter(running=True).exists()

    nothing = act(client, ticket, "stop", hx)
    assert nothing.status_code == 409
    assert "no running timer" in nothing.content.decode()


def test_manual_entry_updates_total_and_list(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    client = client_for(agent)
    response = act(client, ticket, "log", hx, minutes="90", note="research")
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 h 30 min" in body and "research" in body and "Ana Pérez" in body
    assert Ticket.objects.get(pk=ticket.pk).time_spent_seconds == 5400
    panel = client.get(reverse("ticket-time", args=[ticket.pk])).content.decode()
    assert "Total: <strong>1 h 30 min</strong>" in panel


@pytest.mark.parametrize(
    ("data", "message"),
    [({"minutes": "0"}, "greater than or equal to 1"),
     ({"minutes": "-3"}, "greater than or equal to 1"),
     ({"minutes": "abc"}, "Enter a whole number"), ({"minutes": ""}, "This field is required"),
     ({"minutes": "1441"}, "less than or equal to 1440"),
     ({"minutes": "5", "note": "x" * 501}, "at most 500 characters")],
)  # fmt: skip
def test_bad_manual_entries_show_errors_next_to_the_fields(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str], data: Any, message: str
) -> None:
    response = act(client_for(agent), ticket, "log", hx, **data)
    body = response.content.decode()
    assert response.status_code == 422
    assert message in body
    assert 'class="field-error"' in body
    assert '<details class="time-log" open>' in body
    assert not TimeEntry.objects.exists()


def test_unknown_action_outsiders_and_plain_posts(
    client_for: Any, agent: User, ticket: Ticket, hx: dict[str, str]
) -> None:
    assert act(client_for(agent), ticket, "pause", hx).status_code == 404
    outsider = client_for(make_agent(make_group()))
    assert act(outsider, ticket, "start", hx).status_code == 404
    assert act(outsider, ticket, "log", hx, minutes="5").status_code == 404
    assert not TimeEntry.objects.exists()
    plain = act(client_for(agent), ticket, "log", {}, minutes="5")
    assert plain.status_code == 302
