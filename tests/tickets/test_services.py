"""The one write path: opening, replying, updating, status rules, audit and events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from atiende.core.errors import Forbidden, Invalid
from atiende.core.event_types import FieldChange, MessageAdded, TicketCreated, TicketUpdated
from atiende.core.events import as_dict
from atiende.tickets import services
from atiende.tickets.errors import InvalidTransition, StaleVersion, TicketClosed
from atiende.tickets.models import CustomField, Message, Ticket, TicketEvent
from tests.factories import (
    SYSTEM,
    make_agent,
    make_customer,
    make_group,
    make_ticket,
    web,
)

pytestmark = pytest.mark.django_db


def test_open_ticket_numbers_status_priority_and_first_message(on_commit: Any) -> None:
    customer = make_customer()
    with on_commit():
        first = make_ticket(customer, subject="  Printer   on fire ", body="Smoke everywhere")
        second = make_ticket(customer)
    assert second.number == first.number + 1
    assert first.subject == "Printer on fire"
    assert first.status.key == "new" and first.priority.key == "normal"
    message = Message.objects.get(ticket=first)
    assert message.author == customer and message.public and message.direction == "in"
    assert message.body_text == "Smoke everywhere"
    assert "<p>Smoke everywhere</p>" in message.body_html
    created = TicketEvent.objects.get(ticket=first)
    assert created.action == "created" and created.source == "system"


def test_opening_publishes_the_new_tickets_values_and_they_round_trip_json(
    on_commit: Any, published: list[Any]
) -> None:
    # That subscribers wait for the commit is the bus's own promise (tests/core/test_events.py).
    with on_commit() as callbacks:
        ticket = make_ticket()
    assert len(callbacks) >= 1
    created = [e for e in published if isinstance(e, TicketCreated)]
    assert created == [
        TicketCreated(
            ticket.pk,
            ticket.number,
            None,
            "system",
            "web",
            subject=ticket.subject,
            requester_id=ticket.requester_id,
            status_id=ticket.status_id,
            priority_id=ticket.priority_id,
            source_detail="tests",
        )
    ]
    assert json.loads(json.dumps(as_dict(created[0])))["ticket_id"] == ticket.pk


def test_customer_cannot_open_for_someone_else_or_route() -> None:
    customer, other = make_customer(), make_customer()
    with pytest.raises(Forbidden):
        make_ticket(other, actor=web(customer))
    with pytest.raises(Forbidden):
        make_ticket(customer, actor=web(customer), group_id=make_group().pk)
    assert Ticket.objects.count() == 0


def test_open_ticket_reports_every_bad_field_and_writes_nothing() -> None:
    with pytest.raises(Invalid) as caught:
        make_ticket(subject=" ", body="", channel="pigeon", type="joke")
    fields = {e.field for e in caught.value.errors}
    assert fields == {"subject", "body", "channel", "type"}
    assert Ticket.objects.count() == 0 and Message.objects.count() == 0


def test_html_is_sanitized_on_write() -> None:
    ticket = make_ticket(body="", body_html='<p onclick="x()">Hi<script>alert(1)</script></p>')
    message = Message.objects.get(ticket=ticket)
    assert message.body_html == "<p>Hi</p>"
    assert message.body_text == "Hi"


def test_agent_reply_sets_first_response_and_opens_new_ticket(
    on_commit: Any, published: list[Any]
) -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    was_new = ticket.status_id
    with on_commit():
        services.add_message(web(agent), ticket_id=ticket.pk, body="On it")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.status.key == "open" and ticket.version == 2
    assert any(isinstance(e, MessageAdded) and e.public for e in published)
    update = next(e for e in published if isinstance(e, TicketUpdated))
    assert update == TicketUpdated(
        ticket.pk,
        agent.pk,
        "web",
        ("status",),
        changes=(
            FieldChange(
                "status",
                old={"id": was_new, "name": "New", "key": "new"},
                new={"id": ticket.status.pk, "name": "Open", "key": "open"},
            ),
        ),
    )


def test_customer_reply_reopens_pending_ticket_and_cannot_add_notes() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    services.add_message(web(customer), ticket_id=ticket.pk, body="Still broken")
    ticket.refresh_from_db()
    assert ticket.status.key == "open"
    with pytest.raises(Forbidden):
        services.add_message(web(customer), ticket_id=ticket.pk, body="psst", public=False)


def test_closed_ticket_refuses_public_replies_but_not_notes() -> None:
    ticket = make_ticket()
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    with pytest.raises(TicketClosed):
        services.add_message(SYSTEM, ticket_id=ticket.pk, body="hello?")
    note = services.add_message(SYSTEM, ticket_id=ticket.pk, body="for the record", public=False)
    assert not note.public


def test_update_records_one_event_per_changed_field_and_bumps_version() -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    updated = services.update_ticket(
        web(agent),
        ticket_id=ticket.pk,
        version=1,
        changes={
            "priority": "urgent",
            "assignee_id": agent.pk,
            "tags": ["VIP", "vip", " Billing "],
            "subject": ticket.subject,
        },
    )
    assert updated.version == 2
    events = TicketEvent.objects.filter(ticket=ticket, action="updated").order_by("id")
    assert [(e.field, e.actor_id, e.source) for e in events] == [
        ("priority", agent.pk, "web"),
        ("assignee", agent.pk, "web"),
        ("tags", agent.pk, "web"),
    ]
    priority = events[0]
    assert priority.old_value["key"] == "normal" and priority.new_value["key"] == "urgent"
    assert events[2].new_value == ["billing", "vip"]


def test_unchanged_update_writes_nothing() -> None:
    ticket = make_ticket()
    services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"priority": "normal"})
    ticket.refresh_from_db()
    assert ticket.version == 1
    assert not TicketEvent.objects.filter(action="updated").exists()


def test_stale_version_is_refused_with_current_state_and_writes_nothing() -> None:
    ticket = make_ticket()
    services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"priority": "high"})
    with pytest.raises(StaleVersion) as caught:
        services.update_ticket(SYSTEM, ticket_id=ticket.pk, version=1, changes={"priority": "low"})
    assert caught.value.extra["ticket"].priority.key == "high"
    ticket.refresh_from_db()
    assert ticket.priority.key == "high" and ticket.version == 2


def test_status_follows_allowed_transitions_and_sets_timestamps() -> None:
    ticket = make_ticket()
    services.update_ticket(
        SYSTEM,
        ticket_id=ticket.pk,
        version=None,
        changes={"status": "solved", "resolution": "Rebooted"},
    )
    ticket.refresh_from_db()
    assert ticket.solved_at is not None and ticket.resolution == "Rebooted"
    with pytest.raises(InvalidTransition) as caught:
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="pending")
    assert caught.value.errors[0].field == "status"
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="open")
    ticket.refresh_from_db()
    assert ticket.solved_at is None
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    with pytest.raises(InvalidTransition):
        services.change_status(SYSTEM, ticket_id=ticket.pk, status="open")


def test_assignee_must_be_an_agent_of_the_group() -> None:
    group, other_group = make_group(), make_group()
    outsider = make_agent(other_group)
    ticket = make_ticket(group_id=group.pk)
    with pytest.raises(Invalid) as caught:
        services.assign_ticket(SYSTEM, ticket_id=ticket.pk, assignee_id=outsider.pk)
    assert caught.value.errors[0].field == "assignee_id"
    with pytest.raises(Invalid):
        services.assign_ticket(SYSTEM, ticket_id=ticket.pk, assignee_id=make_customer().pk)


def test_moving_to_another_group_unassigns_a_non_member() -> None:
    group, other = make_group(), make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk, assignee_id=agent.pk)
    services.update_ticket(
        SYSTEM, ticket_id=ticket.pk, version=None, changes={"group_id": other.pk}
    )
    ticket.refresh_from_db()
    assert ticket.group == other and ticket.assignee is None


def test_customers_cannot_update_fields() -> None:
    customer = make_customer()
    ticket = make_ticket(customer)
    with pytest.raises(Forbidden):
        services.update_ticket(
            web(customer), ticket_id=ticket.pk, version=1, changes={"priority": "urgent"}
        )


def test_custom_fields_are_validated_on_write() -> None:
    CustomField.objects.create(
        target="ticket", key="order", type="number", name_en="Order", name_es="Pedido"
    )
    CustomField.objects.create(
        target="ticket",
        key="plan",
        type="select",
        options=["free", "pro"],
        name_en="Plan",
        name_es="Plan",
    )
    ticket = make_ticket(custom_fields={"order": "42", "plan": "pro"})
    assert ticket.custom_fields == {"order": 42, "plan": "pro"}
    with pytest.raises(Invalid) as caught:
        services.update_ticket(
            SYSTEM,
            ticket_id=ticket.pk,
            version=1,
            changes={"custom_fields": {"order": "many", "plan": "gold", "nope": 1}},
        )
    assert {e.field for e in caught.value.errors} == {
        "custom_fields.order",
        "custom_fields.plan",
        "custom_fields.nope",
    }
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"order": 42, "plan": "pro"}


def test_attachment_claimed_by_a_message(settings: Any) -> None:
    import io

    ticket = make_ticket()
    attachment = services.store_attachment(
        SYSTEM,
        ticket_id=ticket.pk,
        filename="../../etc/passwd.png",
        stream=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 20),
    )
    assert attachment.filename == "passwd.png" and attachment.content_type == "image/png"
    message = services.add_message(
        SYSTEM, ticket_id=ticket.pk, body="see file", attachment_ids=[attachment.pk]
    )
    assert list(message.attachments.all()) == [attachment]
    with pytest.raises(Invalid):
        services.add_message(
            SYSTEM, ticket_id=ticket.pk, body="again", attachment_ids=[attachment.pk]
        )


def test_oversized_attachment_is_refused(settings: Any) -> None:
    import io

    from atiende.core.errors import PayloadTooLarge
    from atiende.tickets.models import Attachment

    settings.ATIENDE_MAX_ATTACHMENT_BYTES = 10
    ticket = make_ticket()
    with pytest.raises(PayloadTooLarge):
        services.store_attachment(
            SYSTEM, ticket_id=ticket.pk, filename="big.bin", stream=io.BytesIO(b"x" * 11)
        )
    assert not Attachment.objects.exists()


def test_custom_field_text_is_cleaned_of_nul_bytes() -> None:
    CustomField.objects.create(
        target="ticket", key="ref", type="text", name_en="Ref", name_es="Ref"
    )
    ticket = make_ticket(custom_fields={"ref": "a\x00b"})
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"ref": "ab"}


def test_deleting_a_tag_is_recorded_on_each_ticket() -> None:
    from atiende.tickets.models import Tag
    from atiende.tickets.services import config

    ticket = make_ticket(tags=["vip", "billing"])
    config.delete_tag(SYSTEM, tag_id=Tag.objects.get(name="vip").pk)
    ticket.refresh_from_db()
    assert list(ticket.tags.values_list("name", flat=True)) == ["billing"]
    assert ticket.version == 2
    event = TicketEvent.objects.get(ticket=ticket, field="tags")
    assert (event.old_value, event.new_value) == (["billing", "vip"], ["billing"])
