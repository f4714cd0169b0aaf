"""Drafts: each agent's own unsent text on a ticket, kept by the server, cleared on send."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.core.errors import Forbidden, Invalid
from atiende.tickets import services
from atiende.tickets.errors import TicketNotFound
from atiende.tickets.models import Draft, TicketEvent
from atiende.tickets.selectors import my_draft
from atiende.tickets.services.messages import MAX_BODY
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Any:
    support, billing = make_group("Support"), make_group("Billing")
    ana, beto = make_agent(support), make_agent(support)
    outsider = make_agent(billing)
    ticket = make_ticket(group_id=support.pk)
    return ana, beto, outsider, ticket


def test_a_draft_is_kept_replaced_and_read_only_by_its_author(
    setup: Any, published: list[Any]
) -> None:
    ana, beto, _outsider, ticket = setup
    events_before = TicketEvent.objects.filter(ticket=ticket).count()

    assert services.save_draft(
        web(ana), ticket_id=ticket.pk, body="Hola, estamos en ello", public=True
    )
    assert services.save_draft(
        web(ana), ticket_id=ticket.pk, body="Nota: revisar facturación", public=False
    )

    draft = my_draft(web(ana), ticket)
    assert draft is not None
    assert (draft.body, draft.public) == ("Nota: revisar facturación", False)
    assert Draft.objects.filter(ticket=ticket).count() == 1
    assert my_draft(web(beto), ticket) is None
    # A draft is no change to the ticket: no history, no event, no version bump.
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    assert published == []


def test_two_agents_keep_separate_drafts(setup: Any) -> None:
    ana, beto, _outsider, ticket = setup
    services.save_draft(web(ana), ticket_id=ticket.pk, body="de Ana", public=True)
    services.save_draft(web(beto), ticket_id=ticket.pk, body="de Beto", public=False)

    assert my_draft(web(ana), ticket).body == "de Ana"  # type: ignore[union-attr]
    assert my_draft(web(beto), ticket).body == "de Beto"  # type: ignore[union-attr]


def test_an_empty_draft_is_deleted(setup: Any) -> None:
    ana, _beto, _outsider, ticket = setup
    services.save_draft(web(ana), ticket_id=ticket.pk, body="algo", public=True)
    services.save_draft(web(ana), ticket_id=ticket.pk, body="  \n ", public=True)
    assert my_draft(web(ana), ticket) is None


def test_sending_clears_only_the_senders_draft(setup: Any) -> None:
    ana, beto, _outsider, ticket = setup
    services.save_draft(web(ana), ticket_id=ticket.pk, body="Respuesta", public=True)
    services.save_draft(web(beto), ticket_id=ticket.pk, body="Mi nota", public=False)

    services.reply(web(ana), ticket_id=ticket.pk, body="Respuesta", public=True)

    assert my_draft(web(ana), ticket) is None
    assert my_draft(web(beto), ticket).body == "Mi nota"  # type: ignore[union-attr]


def test_a_save_that_arrives_after_the_send_is_dropped(setup: Any) -> None:
    ana, _beto, _outsider, ticket = setup
    seen = ticket.messages.order_by("-pk").values_list("pk", flat=True).first()
    sent = services.reply(web(ana), ticket_id=ticket.pk, body="Respuesta", public=True)

    kept = services.save_draft(
        web(ana), ticket_id=ticket.pk, body="Respuesta", public=True, written_after=seen
    )

    assert kept is False
    assert my_draft(web(ana), ticket) is None
    # Typed after that send, a new draft is kept.
    assert services.save_draft(
        web(ana), ticket_id=ticket.pk, body="Otra cosa", public=True, written_after=sent.pk
    )


def test_a_draft_on_a_ticket_the_agent_cannot_see_is_refused_like_a_missing_one(
    setup: Any,
) -> None:
    _ana, _beto, outsider, ticket = setup
    for ticket_id in (ticket.pk, 987654):
        with pytest.raises(TicketNotFound):
            services.save_draft(web(outsider), ticket_id=ticket_id, body="x", public=True)
    assert not Draft.objects.exists()


def test_customers_and_the_system_keep_no_drafts(setup: Any) -> None:
    _ana, _beto, _outsider, ticket = setup
    customer = make_customer()
    mine = make_ticket(customer)
    with pytest.raises(Forbidden):
        services.save_draft(web(customer), ticket_id=mine.pk, body="x", public=True)
    with pytest.raises(Invalid):
        services.save_draft(SYSTEM, ticket_id=ticket.pk, body="x", public=True)


def test_hostile_text_is_kept_as_text_and_too_long_is_refused(setup: Any) -> None:
    ana, _beto, _outsider, ticket = setup
    services.save_draft(
        web(ana), ticket_id=ticket.pk, body="<script>alert(1)</script>\x00ñandú", public=True
    )
    assert my_draft(web(ana), ticket).body == "<script>alert(1)</script>ñandú"  # type: ignore[union-attr]
    with pytest.raises(Invalid) as error:
        services.save_draft(web(ana), ticket_id=ticket.pk, body="x" * (MAX_BODY + 1), public=True)
    assert error.value.errors[0].field == "body"


def test_discard_draft(setup: Any) -> None:
    ana, _beto, _outsider, ticket = setup
    services.save_draft(web(ana), ticket_id=ticket.pk, body="algo", public=True)
    services.discard_draft(web(ana), ticket_id=ticket.pk)
    services.discard_draft(web(ana), ticket_id=ticket.pk)
    assert my_draft(web(ana), ticket) is None
