"""The timeline tells every audit event the services write in words."""

from __future__ import annotations

import pytest

from atiende.core.actor import Actor, Source
from atiende.tickets import services
from atiende.tickets.models import CustomField, Tag, TicketEvent
from atiende.tickets.services.config import delete_tag
from atiende.web.ticket.history import describe, format_duration
from tests.factories import (
    SYSTEM,
    api,
    make_admin,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
    web,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def sentences(ticket_id: int) -> list[str]:
    events = TicketEvent.objects.filter(ticket_id=ticket_id).select_related("actor")
    return [describe(e, {"plan": "Plan"}) for e in events.order_by("id")]


def test_field_changes_read_as_sentences() -> None:
    support, sales = make_group("Support"), make_group("Sales")
    ana = make_agent(support, sales, name="Ana")
    luis = make_agent(support, name="Luis")
    ticket = make_ticket(make_customer(), group_id=support.pk, subject="Old")
    CustomField.objects.create(
        target="ticket", key="plan", type="text", name_en="Plan", name_es="Plan"
    )
    me = web(ana)
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"priority": "urgent"})
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"subject": "New"})
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"type": "incident"})
    services.assign_ticket(me, ticket_id=ticket.pk, assignee_id=luis.pk)
    services.assign_ticket(me, ticket_id=ticket.pk, assignee_id=None)
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"group_id": sales.pk})
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"group_id": None})
    services.change_status(me, ticket_id=ticket.pk, status="open")
    services.tag_ticket(me, ticket_id=ticket.pk, add=["vip", "billing"])
    services.tag_ticket(me, ticket_id=ticket.pk, remove=["vip"])
    services.tag_ticket(me, ticket_id=ticket.pk, add=["x"], remove=["billing"])
    services.update_ticket(
        me, ticket_id=ticket.pk, version=None, changes={"custom_fields": {"plan": "Gold"}}
    )
    services.update_ticket(
        me, ticket_id=ticket.pk, version=None, changes={"custom_fields": {"plan": None}}
    )
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"resolution": "Done"})

    assert sentences(ticket.pk) == [
        "System (tests) created the ticket",
        "Ana changed priority from Normal to Urgent",
        "Ana changed subject from Old to New",
        "Ana changed type from Question to Incident",
        "Ana assigned the ticket to Luis",
        "Ana unassigned Luis",
        "Ana assigned group Sales",
        "Ana removed group Sales",
        "Ana changed status from New to Open",
        "Ana added tags billing, vip",
        "Ana removed tag vip",
        "Ana added tags x and removed billing",
        "Ana set field “Plan” to Gold",
        "Ana cleared field “Plan” (was Gold)",
        "Ana changed the resolution",
    ]


def test_category_requester_and_organization_changes() -> None:
    from atiende.tickets.models import Category
    from tests.factories import make_org

    category = Category.objects.create(name_en="Hardware", name_es="Hardware")
    admin = make_admin(name="Root")
    ticket = make_ticket(make_customer())
    other = make_customer(name="Eva", organization_id=make_org("Acme").pk)
    me = web(admin)
    services.update_ticket(
        me, ticket_id=ticket.pk, version=None, changes={"category_id": category.pk}
    )
    services.update_ticket(me, ticket_id=ticket.pk, version=None, changes={"category_id": None})
    services.update_ticket(
        me, ticket_id=ticket.pk, version=None, changes={"requester_id": other.pk}
    )

    assert sentences(ticket.pk)[1:] == [
        "Root set category to Hardware",
        "Root cleared category (was Hardware)",
        f"Root changed requester from {ticket.requester.display_name} to Eva",
        "Root set organization to Acme",
    ]


def test_merges_links_and_time_read_as_sentences() -> None:
    admin = make_admin(name="Root")
    first, second, third = make_ticket(), make_ticket(), make_ticket()
    me = web(admin)
    link = services.link_tickets(me, source_id=first.pk, target_id=third.pk, kind="duplicate")
    services.unlink_tickets(me, ticket_id=first.pk, link_id=link.pk)
    services.merge_tickets(me, source_id=second.pk, target_id=first.pk)
    services.log_time(me, ticket_id=first.pk, minutes=65, note="call")
    services.log_time(me, ticket_id=first.pk, minutes=5)
    services.start_timer(me, ticket_id=first.pk)

    assert sentences(first.pk)[1:] == [
        f"Root linked ticket #{third.number} (Duplicate of)",
        "Root removed a link (Duplicate of)",
        f"Root merged ticket #{second.number} into this one (1 message)",
        "Root logged 1 h 05 min: call",
        "Root logged 5 min",
        "Root started a timer",
    ]
    assert sentences(second.pk)[1:] == [
        f"Root merged this ticket into #{first.number} {first.subject}",
        "Root changed status from New to Closed",
    ]


def test_statuses_and_priorities_read_in_the_readers_language() -> None:
    from django.utils import translation

    from atiende.web.ticket.page import value_names

    ticket = make_ticket()
    admin = make_admin(name="Root")
    services.update_ticket(
        web(admin), ticket_id=ticket.pk, version=None, changes={"priority": "high"}
    )
    services.change_status(web(admin), ticket_id=ticket.pk, status="open")
    events = TicketEvent.objects.filter(ticket=ticket, action="updated").order_by("id")
    with translation.override("es"):
        said = [describe(e, {}, value_names()) for e in events]
    assert "Alta" in said[0] and "Normal" in said[0]
    assert "Abierto" in said[1]


def test_deleting_a_tag_reads_as_removal() -> None:
    admin = make_admin(name="Root")
    ticket = make_ticket(tags=["vip"])
    delete_tag(web(admin), tag_id=Tag.objects.get(name="vip").pk)
    assert sentences(ticket.pk)[-1] == "Root removed tag vip"


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (Actor(user=None, source=Source.RULE, detail="VIP"), "Rule “VIP” assigned group Support"),
        (Actor(user=None, source=Source.RULE), "A rule assigned group Support"),
        (
            Actor(user=None, source=Source.CHANNEL, detail="email"),
            "Channel Email assigned group Support",
        ),
        (
            Actor(user=None, source=Source.CHANNEL, detail="email:soporte@example.com"),
            "Channel Email soporte@example.com assigned group Support",
        ),
        (
            Actor(user=None, source=Source.CHANNEL, detail="twilio_sms:4"),
            "Channel SMS through Twilio assigned group Support",
        ),
        (
            Actor(user=None, source=Source.CHANNEL, detail="quarantine:7"),
            "Channel quarantine:7 assigned group Support",
        ),
        (Actor(user=None, source=Source.SYSTEM), "System assigned group Support"),
        (
            Actor(user=None, source=Source.SYSTEM, detail="sla"),
            "System (sla) assigned group Support",
        ),
    ],
)
def test_rules_channels_and_the_system_are_named(actor: Actor, expected: str) -> None:
    group = make_group("Support")
    ticket = make_ticket()
    services.update_ticket(actor, ticket_id=ticket.pk, version=None, changes={"group_id": group.pk})
    assert sentences(ticket.pk)[-1] == expected


def test_api_and_channel_people_are_named_with_their_door() -> None:
    group = make_group("Support")
    agent = make_agent(group, name="Ana")
    ticket = make_ticket(group_id=group.pk)
    services.update_ticket(
        api(agent), ticket_id=ticket.pk, version=None, changes={"priority": "high"}
    )
    services.update_ticket(
        Actor(user=agent, source=Source.CHANNEL, detail="whatsapp"),
        ticket_id=ticket.pk, version=None, changes={"priority": "low"},
    )  # fmt: skip
    assert sentences(ticket.pk)[-2:] == [
        "Ana via the API changed priority from Normal to High",
        "Ana via WhatsApp changed priority from High to Low",
    ]


def test_unknown_actions_still_read() -> None:
    ticket = make_ticket()
    event = TicketEvent.objects.create(
        ticket=ticket, source="system", action="frobbed", field="widget"
    )
    assert describe(event) == "System: frobbed widget"


def test_durations() -> None:
    assert format_duration(40) == "40 s"
    assert format_duration(25 * 60) == "25 min"
    assert format_duration(3600 + 5 * 60) == "1 h 05 min"
    assert SYSTEM.is_system
