"""@mentions in messages: only agents who can see the ticket, each told through one event."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.core.errors import Forbidden, Invalid
from atiende.core.event_types import AgentsMentioned
from atiende.tickets import services
from atiende.tickets.models import Message
from tests.factories import make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def test_note_mentioning_colleagues_publishes_their_ids_once(
    on_commit: Any, published: list[Any]
) -> None:
    group = make_group()
    author, ana, luis = make_agent(group), make_agent(group), make_agent(group)
    ticket = make_ticket(make_customer(), group_id=group.pk)
    with on_commit():
        note = services.add_message(
            web(author), ticket_id=ticket.pk, body="@Ana @Luis look", public=False,
            mentions=[ana.pk, luis.pk, ana.pk],
        )  # fmt: skip
    mentions = [e for e in published if isinstance(e, AgentsMentioned)]
    assert mentions == [
        AgentsMentioned(ticket.pk, note.pk, author.pk, (ana.pk, luis.pk), source="web")
    ]


@pytest.mark.parametrize("who", ["outsider", "customer", "missing", "suspended"])
def test_mentioning_someone_who_cannot_see_the_ticket_is_refused_and_writes_nothing(
    who: str,
) -> None:
    group, other = make_group(), make_group()
    author = make_agent(group)
    ticket = make_ticket(make_customer(), group_id=group.pk)
    target = {
        "outsider": lambda: make_agent(other).pk,
        "customer": lambda: make_customer().pk,
        "missing": lambda: 987654,
        "suspended": lambda: make_agent(group, is_active=False).pk,
    }[who]()
    with pytest.raises(Invalid) as error:
        services.add_message(
            web(author), ticket_id=ticket.pk, body="hi", public=False, mentions=[target]
        )
    assert error.value.errors[0].field == "mentions"
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_customers_cannot_mention() -> None:
    group = make_group()
    customer, agent = make_customer(), make_agent(group)
    ticket = make_ticket(customer, group_id=group.pk)
    with pytest.raises(Forbidden):
        services.add_message(web(customer), ticket_id=ticket.pk, body="hi", mentions=[agent.pk])
