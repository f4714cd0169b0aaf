"""Outbound mail against a real SMTP server on loopback: headers, threading, retries, failure.

Backoff is tested by moving the clock passed to `delivery.deliver` / `deliver_due`, never by
sleeping.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.utils import timezone

from atiende.core.errors import Conflict, Forbidden, NotFound
from atiende.messaging.models import (
    DeliveryState,
    InboundMethod,
    Mailbox,
    OutboundEmail,
    OutboundKind,
    Security,
    ThreadKey,
)
from atiende.messaging.outbound import delivery
from atiende.messaging.outbound.services import retry_outbound
from atiende.tickets import services as tickets
from atiende.tickets.services import store_attachment
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.mail import build, deliver
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db

SUPPORT = "support@helpdesk.test"


def smtp_mailbox(sink: SmtpSink, **fields: Any) -> Mailbox:
    fields.setdefault("address", SUPPORT)
    fields.setdefault("display_name", "ACME Support")
    return Mailbox.objects.create(
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
        **fields,
    )


def reply(on_commit: Callable[..., Any], agent: Any, ticket: Any, body: str, **kw: Any) -> Any:
    with on_commit():
        return tickets.add_message(web(agent), ticket_id=ticket.pk, body=body, **kw)


def only_outbound(**filters: Any) -> OutboundEmail:
    rows = list(OutboundEmail.objects.filter(**filters))
    assert len(rows) == 1, rows
    return rows[0]


def parsed(raw: bytes) -> Any:
    return message_from_bytes(raw, policy=policy.default)


def test_agent_reply_is_mailed_with_identity_and_both_parts(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    group = make_group()
    agent = make_agent(group, name="Carla Ruiz")
    customer = make_customer(email="ana@customer.test", name="Ana Pérez")
    ticket = make_ticket(customer, subject="Printer on fire", group_id=group.pk)

    reply(on_commit, agent, ticket, "We have sent a technician.\n\nRegards")

    row = only_outbound(kind=OutboundKind.REPLY)
    assert row.to == ["ana@customer.test"] and row.state == DeliveryState.QUEUED
    assert re.fullmatch(
        rf"atiende\.{ticket.number}\.[0-9a-f]{{16}}\.[a-z2-7]{{20}}@helpdesk\.test", row.message_id
    )
    assert ThreadKey.objects.filter(ticket=ticket, message_id=row.message_id, outbound=True)
    assert delivery.deliver(row.pk) == DeliveryState.SENT

    [received] = smtp_sink.received
    assert received.rcpt_tos == ["ana@customer.test"]
    assert received.mail_from == SUPPORT
    msg = parsed(received.raw)
    assert msg["From"] == f"ACME Support <{SUPPORT}>"
    assert msg["Reply-To"] == f"ACME Support <{SUPPORT}>"
    assert msg["Subject"] == f"Re: [#{ticket.number}] Printer on fire"
    assert msg["Message-ID"] == f"<{row.message_id}>"
    assert msg["X-Atiende-Ticket"] == str(ticket.number)
    assert msg["Thread-Topic"] == "Printer on fire"
    assert msg["Thread-Index"]
    assert msg["Auto-Submitted"] is None  # a person wrote this one
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "We have sent a technician." in text and "Carla Ruiz" in text
    assert "We have sent a technician." in html
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT and row.sent_at is not None and row.attempts == 1


def test_threading_headers_carry_the_whole_conversation(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    """Customer mail → reply → customer answers our reply → reply: the chain grows."""
    mailbox = smtp_mailbox(smtp_sink)
    agent = make_agent(name="Carla Ruiz")
    with on_commit():
        first = deliver(build(subject="Invoice missing", message_id="first@customer.test"), mailbox)
    ticket = first.ticket
    assert ticket is not None
    reply(on_commit, agent, ticket, "Here it is.")
    received = only_outbound(kind=OutboundKind.RECEIVED)  # the "we got it" notification
    ours = only_outbound(kind=OutboundKind.REPLY)
    assert ours.in_reply_to == "first@customer.test"
    assert ours.references.split() == ["first@customer.test", received.message_id]

    with on_commit():
        second = deliver(
            build(
                subject=f"Re: [#{ticket.number}] Invoice missing",
                message_id="second@customer.test",
                in_reply_to=ours.message_id,
                references=["first@customer.test", ours.message_id],
            ),
            mailbox,
        )
    assert second.ticket_id == ticket.pk  # threaded by our Message-ID
    reply(on_commit, agent, ticket, "And the corrected one.")
    newest = OutboundEmail.objects.filter(kind=OutboundKind.REPLY).latest("pk")
    assert newest.in_reply_to == "second@customer.test"
    assert newest.references.split() == [
        "first@customer.test",
        received.message_id,
        ours.message_id,
        "second@customer.test",
    ]
    delivery.deliver_due()
    sent = smtp_sink.by_message_id()[newest.message_id][0].message
    assert sent["In-Reply-To"] == "<second@customer.test>"
    assert sent["References"].split() == [
        "<first@customer.test>",
        f"<{received.message_id}>",
        f"<{ours.message_id}>",
        "<second@customer.test>",
    ]
    # Every mail of the ticket shares one Outlook conversation.
    first_sent = smtp_sink.by_message_id()[ours.message_id][0].message
    assert sent["Thread-Index"][:28] == first_sent["Thread-Index"][:28]


def test_references_are_capped_keeping_the_first_and_newest(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    for n in range(60):
        ThreadKey.objects.create(ticket=ticket, message_id=f"m{n}@customer.test")
    reply(on_commit, make_agent(), ticket, "Long thread.")
    refs = only_outbound(kind=OutboundKind.REPLY).references.split()
    assert len(refs) == 30
    assert refs[0] == "m0@customer.test" and refs[-1] == "m59@customer.test"


def test_attachments_of_the_reply_travel_with_it(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    import io

    smtp_mailbox(smtp_sink)
    agent = make_agent()
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    attachment = store_attachment(
        web(agent), ticket_id=ticket.pk, filename="report.pdf", stream=io.BytesIO(b"%PDF-1.4 x\n")
    )
    reply(on_commit, agent, ticket, "Report attached.", attachment_ids=[attachment.pk])
    delivery.deliver_due()
    msg = parsed(smtp_sink.received[0].raw)
    files = [(part.get_filename(), part.get_content()) for part in msg.iter_attachments()]
    assert files == [("report.pdf", b"%PDF-1.4 x\n")]


def test_sink_down_for_a_while_the_reply_is_delivered_once_when_it_returns(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    smtp_sink.stop()
    reply(on_commit, make_agent(), ticket, "Are you there?")
    row = only_outbound(kind=OutboundKind.REPLY)
    t0 = timezone.now()

    assert delivery.deliver(row.pk, now=t0) == DeliveryState.QUEUED
    row.refresh_from_db()
    assert row.attempts == 1 and "Could not reach 127.0.0.1" in row.reason
    assert row.next_attempt_at == t0 + timedelta(minutes=1)

    assert delivery.deliver_due(now=t0 + timedelta(seconds=30)) == 0  # backoff not over
    row.refresh_from_db()
    assert row.attempts == 1
    assert delivery.deliver(row.pk, now=t0 + timedelta(seconds=30)) == "waiting"

    delivery.deliver_due(now=t0 + timedelta(seconds=61))  # still down: the wait doubles
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at == t0 + timedelta(seconds=61) + timedelta(minutes=2)

    smtp_sink.start()
    later = t0 + timedelta(minutes=10)
    assert delivery.deliver_due(now=later) == 1
    for _ in range(3):  # the sweep, a duplicate task, a retry: none sends it again
        delivery.deliver_due(now=later + timedelta(hours=1))
        assert delivery.deliver(row.pk, now=later + timedelta(hours=1)) == DeliveryState.SENT
    assert len(smtp_sink.by_message_id()[row.message_id]) == 1
    assert len(smtp_sink.received) == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT and row.attempts == 3 and row.reason == ""


def test_a_4xx_answer_is_retried(smtp_sink: SmtpSink, on_commit: Callable[..., Any]) -> None:
    smtp_mailbox(smtp_sink)
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    smtp_sink.answer = "451 4.3.0 Mailbox busy, try later"
    reply(on_commit, make_agent(), ticket, "Hello")
    row = only_outbound(kind=OutboundKind.REPLY)
    t0 = timezone.now()
    assert delivery.deliver(row.pk, now=t0) == DeliveryState.QUEUED
    row.refresh_from_db()
    assert row.reason == "451 4.3.0 Mailbox busy, try later"
    smtp_sink.answer = ""
    assert delivery.deliver_due(now=t0 + timedelta(minutes=2)) == 1
    assert len(smtp_sink.received) == 1


def test_a_5xx_answer_fails_with_the_reason_and_is_not_retried(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    smtp_sink.rcpt_answer = "550 5.1.1 <ana@customer.test>: user unknown"
    reply(on_commit, make_agent(), ticket, "Hello")
    row = only_outbound(kind=OutboundKind.REPLY)
    assert delivery.deliver(row.pk) == DeliveryState.FAILED
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED and row.attempts == 1
    assert "550 5.1.1 <ana@customer.test>: user unknown" in row.reason
    smtp_sink.rcpt_answer = ""
    assert delivery.deliver_due(now=timezone.now() + timedelta(days=1)) == 0
    assert delivery.deliver(row.pk) == DeliveryState.FAILED
    row.refresh_from_db()
    assert row.attempts == 1 and smtp_sink.received == []


def test_after_the_last_attempt_it_fails_saying_why(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    smtp_sink.stop()
    reply(on_commit, make_agent(), ticket, "Hello")
    row = only_outbound(kind=OutboundKind.REPLY)
    now = timezone.now()
    for _ in range(delivery.MAX_ATTEMPTS):
        delivery.deliver(row.pk, now=now)
        now += delivery.LONGEST_WAIT
    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert row.reason.startswith(f"Gave up after {delivery.MAX_ATTEMPTS} attempts: Could not")


def test_an_agent_who_sees_the_ticket_can_send_a_failed_mail_again(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    group, other = make_group(), make_group()
    agent, outsider = make_agent(group), make_agent(other)
    customer = make_customer(email="ana@customer.test")
    ticket = make_ticket(customer, group_id=group.pk)
    smtp_sink.answer = "554 5.7.1 Rejected"
    reply(on_commit, agent, ticket, "Hello")
    row = only_outbound(kind=OutboundKind.REPLY)
    delivery.deliver(row.pk)

    with pytest.raises(NotFound):
        retry_outbound(web(outsider), outbound_id=row.pk)
    with pytest.raises(Forbidden):
        retry_outbound(web(customer), outbound_id=row.pk)
    smtp_sink.answer = ""
    with on_commit():
        again = retry_outbound(web(agent), outbound_id=row.pk)
    assert again.state == DeliveryState.QUEUED and again.attempts == 0 and again.reason == ""
    assert delivery.deliver(row.pk) == DeliveryState.SENT
    with pytest.raises(Conflict):
        retry_outbound(web(agent), outbound_id=row.pk)
    assert len(smtp_sink.received) == 1


def test_without_a_mailbox_smtp_server_the_default_mailer_sends(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any], settings: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_sink.port},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "Helpdesk <help@helpdesk.test>"
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    reply(on_commit, make_agent(), ticket, "From the default sender.")
    row = only_outbound(kind=OutboundKind.REPLY)
    assert row.mailbox is None and row.message_id.endswith("@helpdesk.test")
    assert delivery.deliver(row.pk) == DeliveryState.SENT
    msg = parsed(smtp_sink.received[0].raw)
    assert msg["From"] == "Helpdesk <help@helpdesk.test>"
    assert smtp_sink.received[0].mail_from == "help@helpdesk.test"


def test_the_embedded_default_writes_mail_to_files(
    on_commit: Callable[..., Any], settings: Any, tmp_path: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    reply(on_commit, make_agent(), ticket, "Into a file.")
    row = only_outbound(kind=OutboundKind.REPLY)
    assert delivery.deliver(row.pk) == DeliveryState.SENT
    [written] = list(tmp_path.iterdir())
    assert f"Message-ID: <{row.message_id}>" in written.read_text()


def test_no_mail_for_notes_customer_replies_or_reserved_domains(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    smtp_mailbox(smtp_sink)
    agent = make_agent()
    customer = make_customer(email="ana@customer.test")
    ticket = make_ticket(customer, actor=SYSTEM)
    reply(on_commit, agent, ticket, "Internal only", public=False)
    with on_commit():
        tickets.add_message(web(customer), ticket_id=ticket.pk, body="Me again")
    demo_like = make_ticket(make_customer(email="bob@northwind.example"))
    reply(on_commit, agent, demo_like, "Nobody gets this")
    assert not OutboundEmail.objects.filter(kind=OutboundKind.REPLY).exists()


def test_customer_followers_are_copied_on_replies(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    mailbox = smtp_mailbox(smtp_sink)
    with on_commit():
        inbound = deliver(
            build(
                sender="Ana <ana@customer.test>",
                to=SUPPORT,
                cc=["Luis <luis@customer.test>"],
                message_id="cc@customer.test",
            ),
            mailbox,
        )
    assert inbound.ticket is not None
    reply(on_commit, make_agent(), inbound.ticket, "Answering you both.")
    row = only_outbound(kind=OutboundKind.REPLY)
    assert row.to == ["ana@customer.test"] and row.cc == ["luis@customer.test"]
    delivery.deliver(row.pk)
    sent = smtp_sink.by_message_id()[row.message_id][0]
    assert sorted(sent.rcpt_tos) == ["ana@customer.test", "luis@customer.test"]
    assert sent.message["Cc"] == "luis@customer.test"
