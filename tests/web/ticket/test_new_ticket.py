"""Opening a ticket on a customer's behalf: an existing customer or a new one, any channel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from atiende.accounts.models import Group, User
from atiende.tickets.models import Message, Ticket
from tests.factories import make_agent, make_customer, make_group

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def create(client: Any, **data: Any) -> Any:
    data.setdefault("channel", "phone")
    data.setdefault("subject", "Cannot log in")
    data.setdefault("body", "Called at 10:00, locked out.")
    data.setdefault("public", "1")
    return client.post(reverse("ticket-new"), data)


def test_form_has_labelled_fields_and_the_agent_channels(client_for: Any, agent: User) -> None:
    body = client_for(agent).get(reverse("ticket-new")).content.decode()
    for label in ("Customer email (or search by name)", "Customer name", "Subject", "Message"):
        assert label in body
    assert '<label for="id_subject">Subject</label>' in body
    for channel in ("phone", "in_person", "chat", "email"):
        assert f'value="{channel}"' in body
    assert 'value="api"' not in body


def test_existing_customer_chosen_from_suggestions(
    client_for: Any, agent: User, group: Group, customer: User
) -> None:
    client = client_for(agent)
    found = client.get(reverse("ticket-new-requesters"), {"requester_email": "luis"})
    assert "Luis Gómez &lt;luis@example.com&gt;" in found.content.decode()
    assert f'data-id="{customer.pk}"' in found.content.decode()
    make_agent(group)  # agents are never suggested as requesters
    assert (
        "Agent" not in client.get(reverse("ticket-new-requesters"), {"q": "agent"}).content.decode()
    )

    response = create(client, requester_id=customer.pk, requester_email="luis", group_id=group.pk,
                      priority="high", assignee_id=agent.pk)  # fmt: skip

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket", args=[ticket.pk])
    assert (ticket.requester_id, ticket.channel, ticket.group_id, ticket.assignee_id) == (
        customer.pk, "phone", group.pk, agent.pk,
    )  # fmt: skip
    assert ticket.priority.key == "high"
    message = ticket.messages.get()
    assert message.public and message.author_id == customer.pk


def test_existing_customer_found_by_email(client_for: Any, agent: User, customer: User) -> None:
    create(client_for(agent), requester_email="LUIS@example.com", channel="in_person")
    ticket = Ticket.objects.get()
    assert ticket.requester_id == customer.pk and ticket.channel == "in_person"


def test_new_customer_created_inline_with_a_first_internal_note(
    client_for: Any, agent: User
) -> None:
    response = create(
        client_for(agent), requester_email="nueva@example.com", requester_name="Nueva Clienta",
        public="0", channel="chat",
    )  # fmt: skip
    assert response.status_code == 302
    customer = User.objects.get(email="nueva@example.com")
    assert customer.name == "Nueva Clienta" and customer.is_customer
    ticket = Ticket.objects.get()
    message = Message.objects.get(ticket=ticket)
    assert ticket.requester_id == customer.pk
    assert message.public is False and message.author_id == agent.pk


@pytest.mark.parametrize(
    ("data", "field_error"),
    [({"requester_email": "not-an-email"}, "Enter a valid email address."),
     ({"requester_email": ""}, "Choose a customer or enter the customer"),
     ({"requester_email": "x@example.com", "body": "  "}, "This field is required."),
     ({"requester_email": "x@example.com", "subject": ""}, "This field is required."),
     ({"requester_email": "x@example.com", "channel": "api"}, "Select a valid choice."),
     ({"requester_email": "x@example.com", "group_id": "999"}, "Select a valid choice."),
     ({"requester_id": "999999", "requester_email": ""}, "Unknown user.")],
)  # fmt: skip
def test_bad_input_is_shown_next_to_the_field_and_creates_nothing(
    client_for: Any, agent: User, data: Any, field_error: str
) -> None:
    response = create(client_for(agent), **data)
    body = response.content.decode()
    assert response.status_code == 422
    assert field_error in body
    assert 'class="field-error"' in body
    assert not Ticket.objects.exists()
    assert not User.objects.filter(email="x@example.com").exists()


def test_assignee_outside_the_group_is_refused(client_for: Any, agent: User, group: Group) -> None:
    outsider = make_agent(make_group())
    response = create(client_for(agent), requester_email="y@example.com", group_id=group.pk,
                      assignee_id=outsider.pk)  # fmt: skip
    assert response.status_code == 422
    assert "is not a member of group" in response.content.decode()
    assert not Ticket.objects.exists()


def test_customers_and_anonymous_cannot_open_tickets_here(client_for: Any) -> None:
    customer = make_customer()
    assert create(client_for(customer), requester_email="z@example.com").status_code == 403
    from django.test import Client

    assert create(Client(), requester_email="z@example.com").status_code == 302
    assert not Ticket.objects.exists()
