"""Customer notifications: ticket received, agent replied, ticket solved; which mailbox."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from typing import Any

import pytest

from atiende.messaging.models import (
    InboundMessage,
    InboundMethod,
    Mailbox,
    NotificationTemplate,
    OutboundEmail,
    OutboundKind,
    Security,
)
from atiende.messaging.outbound import delivery
from atiende.tickets import services as tickets
from atiende.tickets.models import Status, StatusCategory
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.mail import build, deliver
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db


def mailbox(sink: SmtpSink, address: str = "support@helpdesk.test", **fields: Any) -> Mailbox:
    return Mailbox.objects.create(
        address=address,
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
        **fields,
    )


def open_as_customer(on_commit: Callable[..., Any], customer: Any, **fields: Any) -> Any:
    with on_commit():
        return make_ticket(customer, actor=web(customer), **fields)


def sent_message(sink: SmtpSink, row: OutboundEmail) -> Any:
    delivery.deliver(row.pk)
    raw = sink.by_message_id()[row.message_id][0].raw
    return message_from_bytes(raw, policy=policy.default)


def test_a_customer_opening_a_ticket_hears_it_was_received_in_their_language(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink, brand_name="ACME")
    customer = make_customer(email="ana@customer.test", name="Ana Pérez", locale="es")
    ticket = open_as_customer(on_commit, customer, subject="La impresora arde")
    row = OutboundEmail.objects.get(kind=OutboundKind.RECEIVED)
    assert row.to == ["ana@customer.test"]
    assert row.subject.startswith(f"[#{ticket.number}] ")
    msg = sent_message(smtp_sink, row)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Atiende-Ticket"] == str(ticket.number)
    text = msg.get_body(("plain",)).get_content()
    assert "Hola, Ana:" in text and "ACME" in text and str(ticket.number) in text
    assert msg.get_body(("html",)) is not None


def test_received_at_most_once_per_customer_in_a_short_window(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink)
    customer = make_customer(email="ana@customer.test")
    open_as_customer(on_commit, customer)
    open_as_customer(on_commit, customer)
    other = make_customer(email="luis@customer.test")
    open_as_customer(on_commit, other)
    assert OutboundEmail.objects.filter(kind=OutboundKind.RECEIVED).count() == 2


def test_no_received_for_a_ticket_an_agent_opened(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink)
    agent = make_agent()
    with on_commit():
        make_ticket(make_customer(email="ana@customer.test"), actor=web(agent))
    assert not OutboundEmail.objects.exists()


def test_no_notification_to_auto_generated_mail(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    box = mailbox(smtp_sink)
    with on_commit():
        inbound = deliver(
            build(
                sender="Robot <noreply@customer.test>",
                subject="Out of office",
                headers={"Auto-Submitted": "auto-replied"},
            ),
            box,
        )
    inbound.refresh_from_db()
    assert inbound.auto_generated and inbound.ticket is not None
    assert not OutboundEmail.objects.filter(kind=OutboundKind.RECEIVED).exists()
    solved = Status.objects.filter(category=StatusCategory.SOLVED).first()
    assert solved is not None
    with on_commit():
        tickets.update_ticket(
            SYSTEM, ticket_id=inbound.ticket.pk, version=None, changes={"status": solved.key}
        )
    assert not OutboundEmail.objects.filter(kind=OutboundKind.SOLVED).exists()


def test_mail_from_a_customer_is_received_through_its_mailbox(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink, address="first@helpdesk.test")
    came_in = mailbox(smtp_sink, address="ventas@helpdesk.test", display_name="Ventas")
    with on_commit():
        inbound = deliver(build(to="ventas@helpdesk.test"), came_in)
    row = OutboundEmail.objects.get(kind=OutboundKind.RECEIVED)
    assert row.mailbox == came_in and row.ticket_id == inbound.ticket_id
    msg = sent_message(smtp_sink, row)
    assert msg["From"] == "Ventas <ventas@helpdesk.test>"


def test_the_mailbox_is_the_groups_then_the_first_active_one(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink, address="old@helpdesk.test", active=False)
    first = mailbox(smtp_sink, address="zz-first@helpdesk.test")
    group = make_group()
    own = mailbox(smtp_sink, address="team@helpdesk.test", group=group)
    agent = make_agent(group)
    routed = make_ticket(make_customer(email="ana@customer.test"), group_id=group.pk)
    loose = make_ticket(make_customer(email="luis@customer.test"))
    for ticket in (routed, loose):
        with on_commit():
            tickets.add_message(web(agent), ticket_id=ticket.pk, body="Hi")
    assert OutboundEmail.objects.get(ticket=routed).mailbox == own
    assert OutboundEmail.objects.get(ticket=loose).mailbox == first


def test_solved_is_sent_once_per_solving(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox(smtp_sink)
    customer = make_customer(email="ana@customer.test", locale="en")
    ticket = make_ticket(customer)
    solved = Status.objects.filter(category=StatusCategory.SOLVED).first()
    assert solved is not None
    agent = make_agent()

    def change(status: str) -> None:
        with on_commit():
            tickets.update_ticket(
                SYSTEM, ticket_id=ticket.pk, version=None, changes={"status": status}
            )

    change(solved.key)
    rows = OutboundEmail.objects.filter(kind=OutboundKind.SOLVED)
    assert rows.count() == 1
    msg = sent_message(smtp_sink, rows.get())
    assert "solved" in msg.get_body(("plain",)).get_content()
    with on_commit():  # the customer answers: reopened, and solved again later
        tickets.add_message(web(customer), ticket_id=ticket.pk, body="Still broken")
    with on_commit():
        tickets.add_message(web(agent), ticket_id=ticket.pk, body="Fixed now")
    change(solved.key)
    assert rows.count() == 2


def test_a_mailbox_template_overrides_the_default_row_and_the_built_in(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    box = mailbox(smtp_sink)
    other = mailbox(smtp_sink, address="other@helpdesk.test")
    NotificationTemplate.objects.create(
        kind=OutboundKind.RECEIVED,
        language="en",
        subject="Default row {{ ticket.number }}",
        body="Default body for {{ customer.name }}",
    )
    NotificationTemplate.objects.create(
        kind=OutboundKind.RECEIVED,
        language="en",
        mailbox=box,
        subject="Mailbox row",
        body="Mailbox body for {{ customer.name }}",
    )
    with on_commit():
        mine = deliver(build(sender="Ana <ana@customer.test>", message_id="a@customer.test"), box)
    with on_commit():
        theirs = deliver(
            build(
                sender="Luis <luis@customer.test>",
                to="other@helpdesk.test",
                message_id="b@customer.test",
            ),
            other,
        )
    assert mine.ticket is not None and theirs.ticket is not None
    row = OutboundEmail.objects.get(ticket=mine.ticket)
    assert row.subject == f"[#{mine.ticket.number}] Mailbox row"
    assert "Mailbox body for Ana" in sent_message(smtp_sink, row).get_body(("plain",)).get_content()
    row = OutboundEmail.objects.get(ticket=theirs.ticket)
    assert row.subject == f"[#{theirs.ticket.number}] Default row {theirs.ticket.number}"
    assert (
        "Default body for Luis" in sent_message(smtp_sink, row).get_body(("plain",)).get_content()
    )


def test_no_mail_to_our_own_mailboxes(smtp_sink: SmtpSink, on_commit: Callable[..., Any]) -> None:
    mailbox(smtp_sink)
    loop = make_customer(email="support@helpdesk.test")
    open_as_customer(on_commit, loop)
    assert not OutboundEmail.objects.exists()
    assert not InboundMessage.objects.exists()
