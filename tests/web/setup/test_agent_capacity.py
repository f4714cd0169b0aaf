"""An agent's ticket and chat capacity on their settings page (administrators only, as in the
API): blank is no limit, and a bad number is named next to its field with nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import AgentAvailability, User
from atiende.accounts.services import set_agent_status, update_availability
from atiende.automation.assignment.config import configure_assignment
from atiende.core.actor import Actor, Source
from atiende.messaging.chat import posting
from atiende.messaging.chat import services as chat
from atiende.messaging.models import ChatSession
from atiende.tickets.selectors import get_ticket
from tests.factories import SYSTEM, make_agent, make_customer, make_group
from tests.messaging.chat.conftest import make_widget

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def field_error(body: str, message: str) -> bool:
    return f'<span class="field-error" role="alert">{message}</span>' in body


def capacities(agent: User) -> tuple[int | None, int | None]:
    row = AgentAvailability.objects.filter(user=agent).first()
    return (row.capacity, row.chat_capacity) if row else (None, None)


def save(client: Client, agent: User, **values: str) -> Any:
    return client.post(reverse("settings-agent-capacity", args=[agent.pk]), values)


def test_the_agents_page_shows_both_capacities_as_saved(as_admin: Client) -> None:
    agent = make_agent(name="Ana")
    update_availability(SYSTEM, user_id=agent.pk, changes={"capacity": 8, "chat_capacity": 3})

    page = as_admin.get(reverse("settings-agent", args=[agent.pk])).content.decode()

    assert "Ticket capacity" in page and "Chat capacity" in page
    assert 'name="capacity" value="8"' in page and 'name="chat_capacity" value="3"' in page
    assert reverse("settings-agent-capacity", args=[agent.pk]) in page


def test_an_admin_sets_and_clears_the_capacities(as_admin: Client) -> None:
    agent = make_agent(name="Ana")

    response = save(as_admin, agent, capacity="12", chat_capacity="2")

    assert response.status_code == 302
    assert response["Location"] == reverse("settings-agent", args=[agent.pk])
    assert capacities(agent) == (12, 2)
    assert "Capacity saved." in as_admin.get(response["Location"]).content.decode()

    # Blank is no limit; 0 is no new ones (a real value, not "no limit").
    assert save(as_admin, agent, capacity="", chat_capacity="0").status_code == 302
    assert capacities(agent) == (None, 0)
    assert save(as_admin, agent, capacity=" 7 ", chat_capacity="").status_code == 302
    assert capacities(agent) == (7, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("chat_capacity", "-1", "The capacity must be 0 or more."),
        ("capacity", "-5", "The capacity must be 0 or more."),
        ("chat_capacity", "tres", "Give a whole number, or leave it empty for no limit."),
        ("chat_capacity", "1.5", "Give a whole number, or leave it empty for no limit."),
        ("capacity", "1e3", "Give a whole number, or leave it empty for no limit."),
        ("capacity", "³", "Give a whole number, or leave it empty for no limit."),
        ("chat_capacity", "101", "At most 100; leave it empty for no limit."),
        ("capacity", "10001", "At most 10000; leave it empty for no limit."),
        (
            "capacity",
            "99999999999999999999999",
            "At most 10000; leave it empty for no limit.",
        ),
    ],
)
def test_a_bad_capacity_is_named_next_to_its_field_and_nothing_is_saved(
    as_admin: Client, field: str, value: str, message: str
) -> None:
    agent = make_agent(name="Ana")
    update_availability(SYSTEM, user_id=agent.pk, changes={"capacity": 4, "chat_capacity": 1})
    values = {"capacity": "4", "chat_capacity": "1", field: value}

    response = save(as_admin, agent, **values)

    assert response.status_code == 422
    body = response.content.decode()
    assert field_error(body, message), body
    assert f'name="{field}"' in body and "Edit “Ana”" in body  # the agent's page again
    assert capacities(agent) == (4, 1)


def test_capacity_is_for_administrators_only() -> None:
    """An agent may not raise their own capacity (nor anyone's), as in the API."""
    agent = make_agent(name="Ana")
    client = Client()
    client.force_login(agent)

    response = save(client, agent, capacity="", chat_capacity="50")

    assert response.status_code == 403
    assert capacities(agent) == (None, None)
    assert client.get(reverse("settings-agent-capacity", args=[agent.pk])).status_code == 403


def test_only_staff_have_capacities(as_admin: Client) -> None:
    customer = make_customer()
    assert save(as_admin, customer, capacity="3").status_code == 404
    url = reverse("settings-agent-capacity", args=[make_agent().pk])
    assert as_admin.get(url).status_code == 405


def test_a_suspended_agent_has_no_capacity_form(as_admin: Client) -> None:
    agent = make_agent(name="Ana", is_active=False)
    page = as_admin.get(reverse("settings-agent", args=[agent.pk])).content.decode()
    assert "Chat capacity" not in page
    response = save(as_admin, agent, chat_capacity="2")
    assert response.status_code == 302 and capacities(agent) == (None, None)


def test_a_chat_capacity_set_on_the_page_is_what_assignment_respects(
    as_admin: Client,
) -> None:
    """Shaped like real use: the admin gives Ana room for one chat; two visitors write; the
    first chat is hers, the second waits."""
    group = make_group()
    configure_assignment(SYSTEM, group_id=group.pk, strategy="round_robin")
    agent = make_agent(group, name="Ana")
    set_agent_status(Actor(user=agent, source=Source.WEB), user_id=agent.pk, status="online")
    assert save(as_admin, agent, capacity="", chat_capacity="1").status_code == 302
    widget = make_widget(group)

    chats = []
    for token in ("lucia", "pedro"):
        session = chat.open_chat(widget, token, chat.Visitor())
        posted = posting.post_message(session, client_id="c1", text="Hola")
        chats.append(posted.ticket_id)

    assignees = [get_ticket(SYSTEM, ticket_id).assignee_id for ticket_id in chats]
    assert assignees == [agent.pk, None]
    assert ChatSession.objects.count() == 2
