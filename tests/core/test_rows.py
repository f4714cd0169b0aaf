"""Statements built once (``core.rows``): the same rows and instances as the ORM."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from atiende.accounts.models import ApiToken, Identity, IdentityChannel, User
from atiende.core import rows
from atiende.messaging.models import Mailbox
from atiende.realtime.models import LiveEvent
from atiende.tickets.models import Message, Ticket, TicketEvent, TicketTally
from tests.factories import make_customer, make_org, make_ticket

pytestmark = pytest.mark.django_db


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_writes_what_the_orm_reads_back() -> None:
    ticket = make_ticket()
    event = LiveEvent(
        type="ticket.updated",
        ticket_id=ticket.pk,
        requester_id=ticket.requester_id,
        payload={"ticket_id": ticket.pk, "subject": "Impresora — sin tóner", "fields": ["x"]},
    )
    rows.insert(event)
    assert event.pk is not None and not event._state.adding
    assert event.created_at is not None  # auto_now_add filled as save() fills it
    assert _fields(LiveEvent.objects.get(pk=event.pk)) == _fields(event)


def test_insert_many_sets_each_key_in_order() -> None:
    ticket = make_ticket()
    events = [
        TicketEvent(ticket=ticket, source="api", action="updated", field=f"f{n}", new_value=n)
        for n in range(3)
    ]
    rows.insert_many(events)
    stored = {e.pk: (e.field, e.new_value) for e in TicketEvent.objects.filter(ticket=ticket)}
    assert [stored[e.pk] for e in events] == [("f0", 0), ("f1", 1), ("f2", 2)]


def test_insert_takes_the_key_of_a_related_instance_saved_after_assignment() -> None:
    ticket = make_ticket()
    message = Message(ticket=ticket, body_text="hola", body_html="<p>hola</p>", channel="api")
    rows.insert(message)
    assert Message.objects.get(pk=message.pk).ticket_id == ticket.pk


def test_insert_refuses_models_whose_save_does_more() -> None:
    with pytest.raises(TypeError, match="overrides save"):
        rows.insert(User(email="x@example.com"))  # AbstractBaseUser.save, unless own_save
    with pytest.raises(TypeError, match="save signals"):
        rows.insert(Mailbox(address="help@example.com"))


def test_tickets_have_no_hidden_behaviour_in_the_model() -> None:
    """The services move the tallies explicitly; the model writes exactly what it is told."""
    for name in ("save", "delete", "from_db", "insert"):
        assert name not in vars(Ticket), name
    existing = make_ticket()
    before = dict(TicketTally.objects.values_list("pk", "count"))
    ticket = Ticket(
        subject="Nuevo",
        requester=existing.requester,
        status=existing.status,
        priority=existing.priority,
        number=existing.number + 1,
    )
    rows.insert(ticket)
    assert Ticket.objects.get(pk=ticket.pk).number == existing.number + 1
    assert dict(TicketTally.objects.values_list("pk", "count")) == before


def test_first_reads_an_instance_with_its_related_row_in_one_query() -> None:
    org = make_org(name="Acme")
    customer = make_customer(email="ana@acme.example", organization_id=org.pk)
    with CaptureQueriesContext(connection) as queries:
        found = rows.first(User, related=("organization",), email="ana@acme.example")
        assert found is not None
        assert found.organization is not None and found.organization.name == "Acme"
    assert len(queries) == 1
    assert _fields(found) == _fields(User.objects.get(pk=customer.pk))
    assert _fields(found.organization) == _fields(org)


def test_first_caches_a_missing_related_row_as_none() -> None:
    make_customer(email="solo@example.com")
    found = rows.first(User, related=("organization",), email="solo@example.com")
    assert found is not None
    with CaptureQueriesContext(connection) as queries:
        assert found.organization is None
    assert len(queries) == 0


def test_first_matches_every_given_column_and_answers_none_otherwise() -> None:
    customer = make_customer(email="eva@example.com")
    Identity.objects.create(user=customer, channel=IdentityChannel.PHONE, value="+34600000000")
    found = rows.first(
        Identity, related=("user",), channel=IdentityChannel.PHONE, value="+34600000000"
    )
    assert found is not None and found.user.email == "eva@example.com"
    assert rows.first(Identity, channel=IdentityChannel.EMAIL, value="+34600000000") is None
    assert rows.first(ApiToken, digest="0" * 64) is None


def test_update_writes_only_the_named_fields_and_stamps_auto_now() -> None:
    ticket = make_ticket()
    stale = Ticket.objects.get(pk=ticket.pk)
    stale.subject, stale.resolution = "Renamed", "not saved"
    before = stale.updated_at
    rows.update(stale, ["subject", "updated_at"])
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.subject, fresh.resolution) == ("Renamed", ticket.resolution)
    assert fresh.updated_at > before
    assert rows.first(Ticket, pk=ticket.pk).subject == "Renamed"  # type: ignore[union-attr]


def test_update_of_no_fields_writes_nothing_and_of_a_gone_row_raises() -> None:
    ticket = make_ticket()
    rows.update(ticket, [])  # as save(update_fields=[]): nothing to do
    gone = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).delete()
    gone.subject = "Too late"
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        rows.update(gone, ["subject"])
