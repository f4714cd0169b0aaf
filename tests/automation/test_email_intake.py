"""Triggers on the email path: a Spanish mail opens a ticket, its reply adds to it; the rules
act inside the intake's own transaction and the history names them."""

from __future__ import annotations

import pytest

from atiende.automation.triggers.services import create_trigger
from atiende.tickets.models import Message, TicketEvent
from tests.factories import SYSTEM
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


def test_rules_see_mail_in_spanish_and_its_replies() -> None:
    mailbox = make_mailbox()
    outage = create_trigger(
        SYSTEM,
        name="Caída por correo",
        conditions={
            "all": [
                {"field": "event.kind", "operator": "is", "value": "created"},
                {"field": "event.source", "operator": "is", "value": "channel"},
                {"field": "event.channel", "operator": "is", "value": "email"},
            ],
            "any": [{"field": "description", "operator": "contains_words", "value": "caido"}],
        },
        actions=[{"type": "add_tags", "value": ["caída"]}],
    )
    replied = create_trigger(
        SYSTEM,
        name="Respuesta del cliente",
        conditions={
            "all": [
                {"field": "event.kind", "operator": "is", "value": "message_added"},
                {"field": "event.direction", "operator": "is", "value": "in"},
                {"field": "tags", "operator": "contains", "value": "caida"},
            ]
        },
        actions=[{"type": "add_note", "body": "El cliente volvió a escribir."}],
    )
    row = deliver(
        build(
            message_id="caida-1@customer.test",
            subject="Ayuda",
            body="Urgente: el sistema está caído desde las 19:00.",
        ),
        mailbox,
    )
    ticket = row.ticket
    assert ticket is not None
    assert list(ticket.tags.values_list("name", flat=True)) == ["caída"]
    tagged = TicketEvent.objects.get(ticket=ticket, field="tags")
    assert tagged.source_detail == f"rule:{outage.pk}"
    deliver(
        build(
            subject="Re: Ayuda",
            in_reply_to="caida-1@customer.test",
            body="Sigue caído.",
        ),
        mailbox,
    )
    note = Message.objects.get(ticket=ticket, public=False)
    assert note.body_text == "El cliente volvió a escribir."
    replied.refresh_from_db()
    assert replied.fired_count == 1


def test_a_vip_customer_writing_urgente_is_high_priority_by_the_shipped_rules() -> None:
    from atiende.accounts import services as accounts
    from atiende.automation.models import Trigger
    from atiende.automation.triggers.services import update_trigger
    from atiende.tickets.services import config
    from tests.factories import make_org

    config.create_custom_field(
        SYSTEM, target="organization", key="vip", type="checkbox", name_en="VIP customer"
    )
    shipped = Trigger.objects.filter(order__lt=0, name__startswith="Priority: ")
    for rule in shipped:
        update_trigger(SYSTEM, trigger_id=rule.pk, changes={"active": True})
    org = make_org("Cliente VIP S.A.", domains=("customer.test",))
    accounts.update_organization(
        SYSTEM, organization_id=org.pk, changes={"custom_fields": {"vip": True}}
    )
    row = deliver(
        build(subject="urgente: el sistema está caído", body="No podemos facturar."),
        make_mailbox(),
    )
    ticket = row.ticket
    assert ticket is not None
    ticket.refresh_from_db()
    assert ticket.organization_id == org.pk
    assert ticket.priority.key == "high"
    raised = TicketEvent.objects.get(ticket=ticket, field="priority")
    keywords = shipped.get(name__contains="urgent words")
    assert raised.source == "rule" and raised.source_detail == f"rule:{keywords.pk}"
