"""The actions of the triggers part: tags, notes, email from a template, workspace notify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from atiende.automation.actions import ActionContext, run_actions, validate_actions
from atiende.automation.triggers.engine import rule_actor
from atiende.core.errors import Invalid
from atiende.messaging.models import OutboundEmail
from atiende.notifications.models import Kind, Notification
from atiende.outbox.delivery import deliver_due
from atiende.outbox.models import Effect
from atiende.tickets import services as tickets
from atiende.tickets.models import Message, Ticket, TicketEvent
from tests.factories import SYSTEM, make_admin, make_agent, make_customer, make_group, make_ticket
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

RULE = ActionContext(actor=rule_actor(42))


def run(ticket: Ticket, *actions: dict[str, Any]) -> ActionContext:
    context = ActionContext(actor=rule_actor(42))
    validate_actions(list(actions))
    run_actions(context, ticket.pk, list(actions))
    return context


def tags_of(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def test_add_and_remove_tags_keep_the_others() -> None:
    ticket = make_ticket(tags=["billing", "old"])
    run(ticket, {"type": "add_tags", "value": ["VIP", "billing"]})
    assert tags_of(ticket) == ["billing", "old", "vip"]
    run(ticket, {"type": "remove_tags", "value": "old"})
    assert tags_of(ticket) == ["billing", "vip"]
    sources = set(
        TicketEvent.objects.filter(ticket=ticket, field="tags").values_list(
            "source", "source_detail"
        )
    )
    assert sources == {("rule", "rule:42")}


def test_add_note_is_an_internal_note_by_the_rule() -> None:
    ticket = make_ticket()
    run(ticket, {"type": "add_note", "body": "Revisar con facturación"})
    note = Message.objects.get(ticket=ticket, public=False)
    assert note.body_text == "Revisar con facturación" and note.author is None


def test_email_to_the_customer_is_a_reply_in_their_language(on_commit: Callable[..., Any]) -> None:
    make_mailbox()
    action = {
        "type": "email",
        "to": "customer",
        "subject_en": "About #{{ ticket.number }}",
        "body_en": "Hello {{customer.name}}, we are on it.",
        "subject_es": "Sobre #{{ ticket.number }}",
        "body_es": "Hola {{ customer.name }}, ya estamos en ello.",
    }
    spanish = make_customer(email="lucia@cliente.test", name="Lucía", locale="es")
    english = make_customer(email="john@client.test", name="John", locale="en")
    with on_commit():
        # Each writes in their own language (the detected language comes first).
        es_ticket = make_ticket(spanish, body="La impresora de la oficina dejó de imprimir ayer.")
        en_ticket = make_ticket(english, body="The office printer stopped printing yesterday.")
        run(es_ticket, action)
        run(en_ticket, action)
    es_reply = Message.objects.get(ticket=es_ticket, direction="out")
    en_reply = Message.objects.get(ticket=en_ticket, direction="out")
    assert es_reply.public and es_reply.body_text == "Hola Lucía, ya estamos en ello."
    assert en_reply.body_text == "Hello John, we are on it."
    assert OutboundEmail.objects.filter(ticket=es_ticket, to=["lucia@cliente.test"]).exists()
    only_spanish = {"type": "email", "to": "customer", "body_es": "Solo en español"}
    run(en_ticket, only_spanish)
    assert Message.objects.filter(ticket=en_ticket, body_text="Solo en español").exists()


def test_no_email_to_a_customer_whose_last_mail_was_automatic() -> None:
    mailbox = make_mailbox()
    row = deliver(
        build(subject="Out of Office: vuelvo el lunes", headers={"Auto-Submitted": "auto-replied"}),
        mailbox,
    )
    assert row.ticket is not None
    context = run(row.ticket, {"type": "email", "to": "customer", "body_en": "Thanks!"})
    assert not Message.objects.filter(ticket=row.ticket, direction="out", public=True).exists()
    assert "automatic" in context.notes[0]


def test_email_to_agents_goes_through_the_outbox_in_their_language(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    ana = make_agent(group, email="ana@staff.test", locale="es")
    bob = make_agent(group, email="bob@staff.test", locale="en")
    make_agent(email="other@staff.test")  # not in the group
    ticket = make_ticket(group_id=group.pk, subject="Impresora")
    action = {
        "type": "email",
        "to": "group",
        "subject_en": "Look at #{{ticket.number}}",
        "body_en": "Please look: {{ ticket.subject }}",
        "subject_es": "Mira #{{ticket.number}}",
        "body_es": "Por favor mira: {{ ticket.subject }}",
    }
    with on_commit():
        run(ticket, action)
    assert Effect.objects.filter(kind="automation.rule_mail").count() == 2
    deliver_due()  # the worker's sweep: mail leaves outside the change's transaction
    sent = {m.to[0]: m for m in mail.outbox}
    assert sent["ana@staff.test"].subject == f"Mira #{ticket.number}"
    assert sent["ana@staff.test"].body == "Por favor mira: Impresora"
    assert sent["bob@staff.test"].subject == f"Look at #{ticket.number}"
    assert sent["ana@staff.test"].extra_headers["Auto-Submitted"] == "auto-generated"
    mail.outbox.clear()
    tickets.assign_ticket(SYSTEM, ticket_id=ticket.pk, assignee_id=bob.pk)
    with on_commit():
        run(ticket, {**action, "to": "assignee"})
        run(ticket, {**action, "to": f"user:{ana.pk}"})
    deliver_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@staff.test", "bob@staff.test"]


def test_notify_tells_the_assignee_group_supervisor_or_a_user(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    ana, bob = make_agent(group), make_agent(group)
    boss = make_admin()
    ticket = make_ticket(group_id=group.pk)
    with on_commit():
        run(ticket, {"type": "notify", "to": "group", "text": "Cliente VIP esperando"})
        run(ticket, {"type": "notify", "to": "supervisor", "text": "Escalado"})
        run(ticket, {"type": "notify", "to": f"user:{bob.pk}", "text": "Solo Bob"})
        run(ticket, {"type": "notify", "to": "assignee", "text": "Nadie"})  # unassigned
    rows = sorted((n.recipient_id, n.text) for n in Notification.objects.filter(kind=Kind.RULE))
    assert rows == sorted(
        [
            (ana.pk, "Cliente VIP esperando"),
            (bob.pk, "Cliente VIP esperando"),
            (boss.pk, "Escalado"),
            (bob.pk, "Solo Bob"),
        ]
    )


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ({"type": "add_tags", "value": []}, ["actions[0].value"]),
        ({"type": "add_tags", "value": ["a,b"]}, ["actions[0].value"]),
        ({"type": "remove_tags"}, ["actions[0].value"]),
        ({"type": "add_note", "body": "  "}, ["actions[0].body"]),
        ({"type": "add_note", "body": 5}, ["actions[0].body"]),
        ({"type": "email", "to": "everyone", "body_en": "x"}, ["actions[0].to"]),
        ({"type": "email", "to": "customer"}, ["actions[0].body_en"]),
        (
            {"type": "email", "to": "customer", "body_es": "{{ ticket.secret }}"},
            ["actions[0].body_es"],
        ),
        ({"type": "email", "to": "user:999999", "body_en": "x"}, ["actions[0].to"]),
        ({"type": "notify", "to": "customer", "text": "x"}, ["actions[0].to"]),
        ({"type": "notify", "to": "group", "text": ""}, ["actions[0].text"]),
        ({"type": "launch_rocket"}, ["actions[0].type"]),
    ],
)
def test_bad_actions_are_refused_naming_the_part(action: dict[str, Any], fields: list[str]) -> None:
    with pytest.raises(Invalid) as raised:
        validate_actions([action])
    assert [e.field for e in raised.value.errors] == fields


def test_a_customer_is_no_user_target() -> None:
    customer = make_customer()
    with pytest.raises(Invalid) as raised:
        validate_actions([{"type": "notify", "to": f"user:{customer.pk}", "text": "x"}])
    assert raised.value.errors[0].field == "actions[0].to"
