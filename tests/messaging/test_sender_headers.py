"""Malformed sender headers are never trusted (issue 13, 1.2): the class, as a table.

Every shape below makes some parser read an address the forger chose (usually the existing
customer's) while a mail client shows another. None of them may reach the customer's ticket
or be resolved to the customer: the message is quarantined with the header and the reason.
The benign table holds what real clients send, which must keep working.
"""

from __future__ import annotations

import hashlib

import pytest

from atiende.messaging.models import InboundState
from atiende.tickets.models import Message
from tests.factories import make_customer
from tests.messaging.mail import SUPPORT, deliver, make_mailbox

pytestmark = pytest.mark.django_db

VICTIM = "ana@customer.test"


def raw_mail(headers: bytes, *, references: str = "") -> bytes:
    """A minimal Apple-Mail-like message with the given address header lines."""
    lines = [
        headers.rstrip(b"\r\n"),
        f"To: {SUPPORT}".encode(),
        b"Subject: Re: Printer",
        b"Date: Fri, 20 Nov 2026 10:00:00 +0000",
        b"Message-ID: <" + hashlib.sha256(headers).hexdigest()[:16].encode() + b"@attacker.test>",
        b"Mime-Version: 1.0 (Mac OS X Mail 16.0)",
        b"Content-Type: text/plain; charset=utf-8",
    ]
    if references:
        lines.append(f"In-Reply-To: <{references}>".encode())
    return b"\r\n".join(lines) + b"\r\n\r\nPlease send the invoice to my new address.\r\n"


HOSTILE = {
    "two addresses run together": b"From: ana@customer.test, evil@attacker.test",
    "bare address then a bracketed one": b"From: ana@customer.test <evil@attacker.test>",
    "bracketed address after another": b"From: <ana@customer.test> <evil@attacker.test>",
    "named address then a bracketed one": b"From: Evil <evil@attacker.test> <ana@customer.test>",
    "second address folded onto a new line": b"From: ana@customer.test\r\n <evil@attacker.test>",
    "address hidden after a comment": b"From: ana@customer.test (hi) evil@attacker.test",
    "domain glued after the brackets": b'From: "Ana" <ana@customer.test>@attacker.test',
    "two at signs": b"From: ana@customer.test@attacker.test",
    "quote swallowing the address": b'From: "Ana <ana@customer.test>" evil@attacker.test',
    "From twice": b"From: Evil <evil@attacker.test>\r\nFrom: Ana <ana@customer.test>",
    "group as the sender": b"From: friends: ana@customer.test, evil@attacker.test;",
    "NUL inside": b"From: ana@customer.test\x00@attacker.test",
    "malformed Reply-To": b"From: Evil <evil@attacker.test>\r\n"
    b"Reply-To: ana@customer.test <evil@attacker.test>",
    "malformed Sender": b"From: Ana <ana@customer.test>\r\n"
    b"Sender: <ana@customer.test> <evil@attacker.test>",
    "two Senders": b"From: Ana <ana@customer.test>\r\nSender: a@attacker.test, b@attacker.test",
}


@pytest.mark.parametrize("header", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_sender_header_is_quarantined_and_never_reaches_the_customer(
    header: bytes,
) -> None:
    mailbox = make_mailbox()
    customer = make_customer(email=VICTIM)
    first = deliver(raw_mail(b"From: Ana <ana@customer.test>"), mailbox)
    assert first.ticket is not None and first.ticket_message is not None

    row = deliver(raw_mail(header, references=first.message_id), mailbox)

    assert row.state == InboundState.QUARANTINED
    assert row.reason.startswith("The sender headers cannot be trusted:")
    assert row.ticket is None and row.ticket_message is None
    assert Message.objects.filter(author=customer).count() == 1


BENIGN = {
    "Outlook's quoted 'Last, First'": b'From: "P\xc3\xa9rez, Ana" <ana@customer.test>',
    "Gmail's encoded name": b"From: =?UTF-8?Q?Ana_P=C3=A9rez?= <ana@customer.test>",
    "old comment style": b"From: ana@customer.test (Ana Perez)",
    "phone, bare address": b"From: ana@customer.test",
    "encoded name folded": b"From: =?iso-8859-1?q?Ana_P=E9rez?=\r\n <ana@customer.test>",
    "unknown charset in the name": b"From: =?x-unknown?q?Ana?= <ana@customer.test>",
    "Reply-To to a list of two": b"From: Ana <ana@customer.test>\r\n"
    b"Reply-To: a@customer.test, b@customer.test",
}


@pytest.mark.parametrize("header", BENIGN.values(), ids=BENIGN.keys())
def test_what_real_clients_send_is_read_as_the_address_shown(header: bytes) -> None:
    customer = make_customer(email=VICTIM)

    row = deliver(raw_mail(header), make_mailbox())

    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket is not None and row.ticket.requester == customer


def test_a_look_alike_display_name_resolves_to_the_real_address() -> None:
    """What a mail client shows on hover and replies to: never the name's address."""
    customer = make_customer(email=VICTIM)
    header = b'From: "ana@customer.test" <evil@attacker.test>'
    encoded = b"From: =?utf-8?q?ana=40customer.test_=3Cana=40customer.test=3E?= <evil@x.test>"

    rows = [
        deliver(raw_mail(h), make_mailbox(f"s{i}@helpdesk.test"))
        for i, h in enumerate((header, encoded))
    ]

    for row in rows:
        assert row.ticket is not None and row.ticket.requester != customer
    assert [r.ticket.requester.email for r in rows if r.ticket] == [
        "evil@attacker.test",
        "evil@x.test",
    ]
