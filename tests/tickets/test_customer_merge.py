"""Merging duplicate customers: tickets, identities and fields move; the source is retired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from atiende.accounts.models import Identity, IdentityChannel, User
from atiende.accounts.services import add_identity
from atiende.core import events
from atiende.core.errors import Conflict, Forbidden, Invalid
from atiende.core.event_types import CustomersMerged, TicketUpdated
from atiende.tickets.models import CustomField, CustomFieldTarget, CustomFieldType, TicketEvent
from atiende.tickets.selectors import visible_tickets
from atiende.tickets.services import merge_customers, preview_merge
from tests.factories import (
    SYSTEM,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_org,
    make_ticket,
    web,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_merge_moves_tickets_identities_and_fills_gaps(
    on_commit: Callable[..., Any], published: list[Any]
) -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="tax_id", type=CustomFieldType.TEXT, name_en="Tax id"
    )
    org = make_org()
    agent = make_admin()  # the survivor joins an organization: an admin's call
    target = make_customer(email="ana@example.com", name="Ana")
    source = make_customer(
        email="ana.old@example.com",
        name="",
        phone="+34 600 111 222",
        organization_id=org.pk,
        custom_fields={"tax_id": "B123"},
        notes="Prefers phone.",
    )
    add_identity(SYSTEM, user_id=source.pk, channel=IdentityChannel.WHATSAPP, value="+34600111222")
    moved = [make_ticket(source) for _ in range(3)]
    kept = make_ticket(target)
    with on_commit():
        result = merge_customers(web(agent), source_id=source.pk, target_id=target.pk)

    assert result.pk == target.pk
    tickets = visible_tickets(SYSTEM)
    assert set(tickets.filter(requester=target).values_list("pk", flat=True)) == {
        *(t.pk for t in moved),
        kept.pk,
    }
    assert not tickets.filter(requester=source).exists()
    assert all(t.version == 2 for t in tickets.filter(pk__in=[t.pk for t in moved]))
    trail = TicketEvent.objects.filter(field="requester")
    assert trail.count() == 3
    first = trail.first()
    assert first is not None
    assert first.old_value == {"id": source.pk, "name": "ana.old@example.com"}
    assert first.new_value == {"id": target.pk, "name": "Ana"}
    assert first.actor_id == agent.pk and first.source == "web"

    assert set(Identity.objects.filter(user=target).values_list("channel", "value")) == {
        ("email", "ana@example.com"),
        ("email", "ana.old@example.com"),
        ("whatsapp", "+34600111222"),
    }
    source, target = fresh(source), fresh(target)
    assert not source.is_active and source.merged_into_id == target.pk
    assert source.email is None
    assert target.organization_id == org.pk
    assert target.phone == "+34 600 111 222"
    assert target.custom_fields == {"tax_id": "B123"}
    today = timezone.localdate().isoformat()
    assert target.notes == (
        f"Prefers phone.\n\n{today}: ana.old@example.com was merged into this customer"
        " (tickets moved: 3)."
    )
    assert source.notes == f"Prefers phone.\n\n{today}: merged into Ana (tickets moved: 3)."
    assert target.is_active and target.email == "ana@example.com"

    seen = [e for e in published if isinstance(e, CustomersMerged)]
    assert len(seen) == 1
    assert seen[0].source_id == source.pk and seen[0].target_id == target.pk
    assert sorted(seen[0].ticket_ids) == sorted(t.pk for t in moved)
    assert len(seen[0].identity_ids) == 2
    assert (seen[0].actor_id, seen[0].source) == (agent.pk, "web")
    assert events.as_dict(seen[0])["type"] == "CustomersMerged"


def test_a_survivor_in_another_organization_takes_the_tickets_there(
    on_commit: Callable[..., Any], published: list[Any]
) -> None:
    """Bad input the merge must get right: the tickets follow the survivor's organization,
    so the old organization's colleagues stop seeing them and the new one's start."""
    old_org, new_org = make_org(name="Acme", shared=True), make_org(name="Globex", shared=True)
    source = make_customer(name="Bea", organization_id=old_org.pk)
    target = make_customer(name="Ana", organization_id=new_org.pk)
    old_colleague = make_customer(organization_id=old_org.pk)
    new_colleague = make_customer(organization_id=new_org.pk)
    User.objects.filter(pk__in=[old_colleague.pk, new_colleague.pk]).update(
        email_verified_at=timezone.now()
    )
    moved = [make_ticket(source) for _ in range(2)]
    ids = {t.pk for t in moved}
    assert set(visible_tickets(web(fresh(old_colleague))).values_list("pk", flat=True)) == ids

    with on_commit():
        merge_customers(web(make_admin()), source_id=source.pk, target_id=target.pk)

    assert all(t.organization_id == new_org.pk for t in visible_tickets(SYSTEM).filter(pk__in=ids))
    assert not visible_tickets(web(fresh(old_colleague))).exists()
    assert set(visible_tickets(web(fresh(new_colleague))).values_list("pk", flat=True)) == ids
    assert fresh(target).organization_id == new_org.pk  # the survivor keeps its own
    for ticket in moved:
        trail = {
            e.field: (e.old_value, e.new_value)
            for e in TicketEvent.objects.filter(ticket=ticket, action="updated")
        }
        assert trail == {
            "requester": ({"id": source.pk, "name": "Bea"}, {"id": target.pk, "name": "Ana"}),
            "organization": (
                {"id": old_org.pk, "name": "Acme"},
                {"id": new_org.pk, "name": "Globex"},
            ),
        }
    updated = sorted((e.ticket_id, e.fields) for e in published if isinstance(e, TicketUpdated))
    assert updated == sorted((pk, ("requester", "organization")) for pk in ids)
    today = timezone.localdate().isoformat()
    change = "Organization of the moved tickets: Acme → Globex."
    assert fresh(source).notes == f"{today}: merged into Ana (tickets moved: 2). {change}"
    assert fresh(target).notes == (
        f"{today}: Bea was merged into this customer (tickets moved: 2). {change}"
    )


def test_target_keeps_its_own_values() -> None:
    CustomField.objects.create(
        target=CustomFieldTarget.USER, key="tax_id", type=CustomFieldType.TEXT, name_en="Tax id"
    )
    mine, theirs = make_org(), make_org()
    target = make_customer(organization_id=mine.pk, phone="555 0101", custom_fields={"tax_id": "A"})
    source = make_customer(
        organization_id=theirs.pk, phone="555 0202", custom_fields={"tax_id": "B"}
    )

    preview = preview_merge(web(make_admin()), source_id=source.pk, target_id=target.pk)
    assert preview.organization is None and preview.custom_field_keys == []
    merge_customers(web(make_admin()), source_id=source.pk, target_id=target.pk)

    target = fresh(target)
    assert target.organization_id == mine.pk
    assert target.phone == "555 0101"
    assert target.custom_fields == {"tax_id": "A"}


def test_preview_says_what_moves_without_moving_it() -> None:
    org = make_org()
    target = make_customer()
    source = make_customer(organization_id=org.pk)
    make_ticket(source)
    make_ticket(source)

    preview = preview_merge(web(make_admin()), source_id=source.pk, target_id=target.pk)

    assert preview.ticket_count == 2
    assert [i.value for i in preview.identities] == [source.email]
    assert preview.organization == org
    assert visible_tickets(SYSTEM).filter(requester=source).count() == 2
    assert fresh(source).is_active


def test_merging_into_itself_is_refused() -> None:
    customer = make_customer()
    with pytest.raises(Invalid) as caught:
        merge_customers(web(make_agent()), source_id=customer.pk, target_id=customer.pk)
    assert caught.value.errors[0].field == "source_id"


@pytest.mark.parametrize("which", ["source", "target"])
def test_only_customers_are_merged(which: str) -> None:
    customer, agent = make_customer(), make_agent()
    ticket = make_ticket(customer)
    ids = (
        {"source_id": agent.pk, "target_id": customer.pk}
        if which == "source"
        else {"source_id": customer.pk, "target_id": agent.pk}
    )
    with pytest.raises(Invalid) as caught:
        merge_customers(web(make_admin()), **ids)
    assert caught.value.errors[0].field == f"{which}_id"
    assert visible_tickets(SYSTEM).get(pk=ticket.pk).requester_id == customer.pk
    assert fresh(agent).is_active and fresh(customer).is_active


def test_unknown_ids_are_field_errors() -> None:
    customer = make_customer()
    with pytest.raises(Invalid) as caught:
        merge_customers(web(make_agent()), source_id=10**9, target_id=customer.pk)
    assert caught.value.errors[0].field == "source_id"


def test_customers_and_suspended_agents_cannot_merge() -> None:
    one, two = make_customer(), make_customer()
    with pytest.raises(Forbidden):
        merge_customers(web(one), source_id=two.pk, target_id=one.pk)
    agent = make_agent()
    User.objects.filter(pk=agent.pk).update(is_active=False)
    with pytest.raises(Forbidden):
        merge_customers(web(fresh(agent)), source_id=two.pk, target_id=one.pk)
    assert fresh(two).is_active and fresh(two).merged_into_id is None


def test_a_merged_record_cannot_be_merged_again() -> None:
    a, b, c = make_customer(), make_customer(), make_customer()
    merge_customers(web(make_agent()), source_id=a.pk, target_id=b.pk)
    with pytest.raises(Conflict):
        merge_customers(web(make_agent()), source_id=a.pk, target_id=c.pk)
    with pytest.raises(Conflict):
        merge_customers(web(make_agent()), source_id=c.pk, target_id=a.pk)


def test_agent_merges_tickets_outside_their_groups_too() -> None:
    """The merge is about the person: every ticket moves, seen by the agent or not."""
    agent = make_agent(make_group())
    target, source = make_customer(), make_customer()
    hidden = make_ticket(source, group_id=make_group().pk)
    assert not visible_tickets(web(agent)).filter(pk=hidden.pk).exists()

    merge_customers(web(agent), source_id=source.pk, target_id=target.pk)

    assert visible_tickets(SYSTEM).get(pk=hidden.pk).requester_id == target.pk


def test_mail_from_the_old_address_finds_the_target() -> None:
    from atiende.accounts.services import find_or_create_customer

    target, source = make_customer(), make_customer(email="old@example.com")
    merge_customers(web(make_agent()), source_id=source.pk, target_id=target.pk)

    assert find_or_create_customer(SYSTEM, email="old@example.com").pk == target.pk


def test_target_without_email_takes_the_source_email() -> None:
    target = make_customer()
    User.objects.filter(pk=target.pk).update(email=None)
    Identity.objects.filter(user=target).delete()
    source = make_customer(email="only@example.com")

    merge_customers(web(make_agent()), source_id=source.pk, target_id=fresh(target).pk)

    assert fresh(target).email == "only@example.com"


@pytest.mark.parametrize("orgs", [("Acme", None), (None, "Acme"), ("Acme", "Globex")])
def test_an_agent_cannot_merge_customers_across_organizations(
    orgs: tuple[str | None, str | None],
) -> None:
    """A merge across organizations would widen someone's reach: the survivor would see the
    other organization's shared tickets, or its members the duplicate's. Admins only."""
    made = {name: make_org(name=name, shared=True) for name in orgs if name}
    source, target = (
        make_customer(organization_id=made[name].pk if name else None) for name in orgs
    )
    ticket = make_ticket(source)
    agent = make_agent()

    for attempt in (preview_merge, merge_customers):
        with pytest.raises(Forbidden, match="administrator"):
            attempt(web(agent), source_id=source.pk, target_id=target.pk)

    assert fresh(source).is_active and fresh(target).organization_id == target.organization_id
    assert visible_tickets(SYSTEM).get(pk=ticket.pk).requester_id == source.pk
    merge_customers(web(make_admin()), source_id=source.pk, target_id=target.pk)
    assert visible_tickets(SYSTEM).get(pk=ticket.pk).requester_id == target.pk
