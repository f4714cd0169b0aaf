"""Canned responses: who may use which, and placeholders filled in safely."""

from __future__ import annotations

import pytest

from atiende.core.errors import Forbidden, NotFound
from atiende.tickets.canned import available_responses, get_response, render_response
from atiende.tickets.models import CannedResponse
from tests.factories import make_admin, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def test_agent_sees_shared_their_groups_and_their_own_responses() -> None:
    mine_group, other_group = make_group(), make_group()
    agent, colleague = make_agent(mine_group), make_agent(mine_group)
    shared = CannedResponse.objects.create(name="A shared", body="x")
    group_one = CannedResponse.objects.create(name="B group", body="x", group=mine_group)
    CannedResponse.objects.create(name="C other group", body="x", group=other_group)
    own = CannedResponse.objects.create(name="D own", body="x", owner=agent)
    CannedResponse.objects.create(name="E colleague's", body="x", owner=colleague)
    CannedResponse.objects.create(name="F inactive", body="x", is_active=False)

    assert list(available_responses(web(agent))) == [shared, group_one, own]
    assert list(available_responses(web(agent), q="own")) == [own]


def test_admin_sees_every_groups_shared_responses_but_not_others_personal_ones() -> None:
    group = make_group()
    shared = CannedResponse.objects.create(name="A", body="x", group=group)
    CannedResponse.objects.create(name="B", body="x", owner=make_agent(group))
    assert list(available_responses(web(make_admin()))) == [shared]


def test_unavailable_response_looks_missing_and_customers_are_refused() -> None:
    other = CannedResponse.objects.create(name="x", body="x", group=make_group())
    with pytest.raises(NotFound):
        get_response(web(make_agent(make_group())), other.pk)
    with pytest.raises(Forbidden):
        available_responses(web(make_customer()))


def test_placeholders_are_filled_and_unknown_ones_stay() -> None:
    group = make_group()
    agent = make_agent(group, name="Ana Pérez")
    customer = make_customer(name="Luis Gómez", email="luis@example.com")
    ticket = make_ticket(customer, group_id=group.pk, subject="Printer")
    response = CannedResponse.objects.create(
        name="x",
        body=(
            "Hi {{customer.first_name}} ({{ customer.name }}, {{customer.email}}): "
            "#{{ticket.number}} {{ticket.subject}}. {{agent.first_name}}/{{agent.name}} "
            "{{ticket.secret}} {{ customer.password }} {% if 1 %}x{% endif %} "
            "{{ticket.subject|upper}}"
        ),
    )

    text = render_response(response, ticket=ticket, agent=agent)

    assert text == (
        f"Hi Luis (Luis Gómez, luis@example.com): #{ticket.number} Printer. Ana/Ana Pérez "
        "{{ticket.secret}} {{ customer.password }} {% if 1 %}x{% endif %} {{ticket.subject|upper}}"
    )


def test_values_containing_placeholders_are_not_expanded_again() -> None:
    agent = make_agent(name="Secret Agent")
    ticket = make_ticket(make_customer(name="{{agent.name}}"), subject="{{agent.name}} <b>x</b>")
    response = CannedResponse.objects.create(
        name="x", body="{{ticket.subject}} / {{customer.name}} / {{agent.name}}"
    )
    assert render_response(response, ticket=ticket, agent=agent) == (
        "{{agent.name}} <b>x</b> / {{agent.name}} / Secret Agent"
    )
