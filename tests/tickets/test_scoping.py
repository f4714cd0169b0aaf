"""The scoping matrix: who sees which ticket, through the one scoping function."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import timezone

from atiende.accounts.models import User
from atiende.core.actor import Actor, Source
from atiende.tickets import services
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import get_ticket, visible_messages, visible_tickets
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    admin: User
    agent_in: User
    agent_out: User
    requester: User
    colleague_verified: User
    colleague_unverified: User
    stranger: User
    suspended_agent: User
    ticket: Ticket
    untriaged: Ticket


@pytest.fixture
def world() -> World:
    support, sales = make_group("Support"), make_group("Sales")
    org = make_org("Acme", domains=("acme.test",), shared=True)
    requester = make_customer(email="ana@acme.test")
    verified = make_customer(email="luis@acme.test")
    verified.email_verified_at = timezone.now()
    verified.save()
    unverified = make_customer(email="eva@acme.test")
    assert requester.organization == org == unverified.organization
    suspended = make_agent(support)
    suspended.is_active = False
    suspended.save()
    return World(
        admin=make_admin(),
        agent_in=make_agent(support),
        agent_out=make_agent(sales),
        requester=requester,
        colleague_verified=verified,
        colleague_unverified=unverified,
        stranger=make_customer(),
        suspended_agent=suspended,
        ticket=make_ticket(requester, group_id=support.pk),
        untriaged=make_ticket(make_customer()),
    )


MATRIX = [
    ("admin", True),
    ("agent_in", True),
    ("agent_out", False),
    ("requester", True),
    ("colleague_verified", True),
    ("colleague_unverified", False),
    ("stranger", False),
    ("suspended_agent", False),
]


@pytest.mark.parametrize(("who", "sees"), MATRIX)
def test_visibility_matrix(world: World, who: str, sees: bool) -> None:
    actor = Actor(getattr(world, who), Source.API)
    assert visible_tickets(actor).filter(pk=world.ticket.pk).exists() is sees
    if sees:
        assert get_ticket(actor, world.ticket.pk) == world.ticket
    else:
        with pytest.raises(TicketNotFound):
            get_ticket(actor, world.ticket.pk)


def test_organization_must_allow_sharing(world: World) -> None:
    org = world.requester.organization
    assert org is not None
    org.shared_tickets = False
    org.save()
    colleague = User.objects.get(pk=world.colleague_verified.pk)
    assert not visible_tickets(Actor(colleague, Source.API)).filter(pk=world.ticket.pk).exists()


def test_untriaged_tickets_are_visible_to_every_agent_but_not_other_customers(world: World) -> None:
    assert (
        visible_tickets(Actor(world.agent_out, Source.API)).filter(pk=world.untriaged.pk).exists()
    )
    assert (
        not visible_tickets(Actor(world.requester, Source.API))
        .filter(pk=world.untriaged.pk)
        .exists()
    )


def test_assignee_sees_ticket_outside_their_groups(world: World) -> None:
    services.update_ticket(
        SYSTEM, ticket_id=world.ticket.pk, version=None, changes={"assignee_id": world.admin.pk}
    )
    assert get_ticket(Actor(world.admin, Source.API), world.ticket.pk)


def test_customers_never_see_internal_notes(world: World) -> None:
    services.add_message(SYSTEM, ticket_id=world.ticket.pk, body="internal", public=False)
    as_customer = visible_messages(Actor(world.requester, Source.API), world.ticket)
    as_agent = visible_messages(Actor(world.agent_in, Source.API), world.ticket)
    assert [m.body_text for m in as_customer] == ["Something is not working."]
    assert as_agent.count() == 2


@pytest.mark.parametrize("who", ["agent_out", "stranger", "colleague_unverified"])
def test_writes_outside_scope_are_not_found(world: World, who: str) -> None:
    actor = Actor(getattr(world, who), Source.API)
    with pytest.raises(TicketNotFound):
        services.add_message(actor, ticket_id=world.ticket.pk, body="hi")
    assert world.ticket.messages.count() == 1
