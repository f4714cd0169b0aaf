"""Bounces written as plain text (Exim/cPanel, qmail, Postfix without DSN): the delivery is
marked failed on the ticket, no junk ticket opens, and the next reply still answers the
customer's message, not the mail system's."""

from __future__ import annotations

import pytest

from atiende.messaging.email.parse import parse_message
from atiende.messaging.models import DeliveryState, InboundState, OutboundEmail
from atiende.messaging.outbound.headers import thread_chain
from atiende.tickets.models import Ticket
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

COPY = (
    "From: support@helpdesk.test\r\nTo: ana@customer.test\r\n"
    "Subject: Re: The printer is on fire [#1]\r\nMessage-ID: <{id}>\r\n\r\n"
    "We are on our way.\r\n"
)

EXIM = (
    "From: Mail Delivery System <Mailer-Daemon@server.cpanel.test>\r\n"
    "To: support@helpdesk.test\r\n"
    "Subject: Mail delivery failed: returning message to sender\r\n"
    "Message-ID: <E1bounce-exim@server.cpanel.test>\r\n"
    "Auto-Submitted: auto-replied\r\n\r\n"
    "This message was created automatically by mail delivery software.\r\n\r\n"
    "A message that you sent could not be delivered to one or more of its\r\n"
    "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
    "  ana@customer.test\r\n"
    "    SMTP error from remote mail server after RCPT TO:<ana@customer.test>:\r\n"
    "    550 5.1.1 <ana@customer.test>: Recipient address rejected: User unknown\r\n\r\n"
    "------ This is a copy of the message, including all the headers. ------\r\n\r\n" + COPY
)
QMAIL = (
    "From: MAILER-DAEMON@mail.qmail.test\r\n"
    "To: support@helpdesk.test\r\n"
    "Subject: failure notice\r\n"
    "Message-ID: <bounce-qmail@mail.qmail.test>\r\n\r\n"
    "Hi. This is the qmail-send program at mail.qmail.test.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
    "<ana@customer.test>:\r\n"
    "Sorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
    "--- Below this line is a copy of the message.\r\n\r\n" + COPY
)
POSTFIX = (
    "From: MAILER-DAEMON@mx.postfix.test (Mail Delivery System)\r\n"
    "To: support@helpdesk.test\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Message-ID: <bounce-postfix@mx.postfix.test>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="PF"\r\n\r\n'
    "--PF\r\nContent-Type: text/plain\r\n\r\n"
    "This is the mail system at host mx.postfix.test.\r\n\r\n"
    "I'm sorry to have to inform you that your message could not\r\n"
    "be delivered to one or more recipients.\r\n\r\n"
    "<ana@customer.test>: host mx.customer.test said: 550 5.1.1 User unknown\r\n\r\n"
    "--PF\r\nContent-Type: message/rfc822\r\n\r\n" + COPY + "\r\n--PF--\r\n"
)
SHAPES = {"exim": EXIM, "qmail": QMAIL, "postfix": POSTFIX}


def customer_ticket_with_reply(reply_id: str) -> tuple[Ticket, str]:
    mailbox = make_mailbox()
    first = deliver(build(message_id="cust-1@customer.test"), mailbox)
    assert first.ticket is not None
    OutboundEmail.objects.create(
        ticket=first.ticket,
        kind="reply",
        subject="Re",
        message_id=reply_id,
        state=DeliveryState.SENT,
    )
    return first.ticket, "cust-1@customer.test"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_plain_text_bounce_marks_the_delivery_failed(shape: str) -> None:
    reply_id = f"reply-{shape}@helpdesk.test"
    ticket, customer_id = customer_ticket_with_reply(reply_id)
    row = deliver(SHAPES[shape].replace("{id}", reply_id).encode(), make_mailbox("x@h.test"))

    assert row.state == InboundState.PROCESSED and row.ticket == ticket, row.reason
    assert Ticket.objects.count() == 1
    failed = OutboundEmail.objects.get(message_id=reply_id)
    assert failed.state == DeliveryState.FAILED and "5.1.1" in failed.reason
    assert row.ticket_message is not None and not row.ticket_message.public
    assert thread_chain(ticket)[0] == customer_id  # the next reply answers the customer


def test_the_same_bounce_by_two_routes_is_noted_once() -> None:
    ticket, _customer_id = customer_ticket_with_reply("reply-twice@helpdesk.test")
    raw = EXIM.replace("{id}", "reply-twice@helpdesk.test")
    deliver(raw.encode(), make_mailbox("x@h.test"))
    again = deliver(raw.replace("Mail delivery", "Mail  delivery").encode())

    assert again.state == InboundState.IGNORED
    assert ticket.messages.filter(public=False).count() == 1


def test_a_person_writing_undeliverable_is_not_a_bounce() -> None:
    parsed = parse_message(
        build(
            sender="Ana <ana@customer.test>",
            subject="Undeliverable: my parcel",
            body="This is a copy of the message, including all the headers, that failed.",
        )
    )
    assert not parsed.is_bounce


def test_a_delay_warning_in_plain_text_is_not_a_failure() -> None:
    raw = EXIM.replace(
        "Subject: Mail delivery failed: returning message to sender",
        "Subject: Warning: message 1abc-00 delayed 24 hours",
    )
    parsed = parse_message(raw.replace("{id}", "r@helpdesk.test").encode())
    assert parsed.is_bounce and parsed.bounce_delayed
    assert parsed.bounced_message_id == "r@helpdesk.test"
