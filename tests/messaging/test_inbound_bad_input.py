"""Bad mail never crashes the pipeline, is never lost and never duplicated."""

from __future__ import annotations

import pytest

from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import MessageTooLarge, store_raw
from atiende.messaging.models import MAX_STORED_BYTES, InboundMessage, InboundState
from atiende.tickets.models import Message, Ticket
from tests.factories import SYSTEM, make_customer
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


def test_an_empty_message_is_quarantined_with_the_reason() -> None:
    row = deliver(b"", make_mailbox())

    assert row.state == InboundState.QUARANTINED and "empty" in row.reason
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == b""


def test_malformed_headers_still_become_a_message() -> None:
    raw = (
        b"From: ana@customer.test\r\n"
        b'To: "Colleagues": a@x.test, <<broken>>;\r\n'
        b"Subject: =?utf-8?q?broken=ZZ?=\r\n"
        b"Date: not a date\r\n"
        b"Message-ID: no angle brackets\r\n"
        b"In-Reply-To: <<<>>>\r\n"
        b"Content-Type: text/plain; charset=\r\n"
        b"X-Weird\r\n\r\n"
        b"Body survives.\r\n"
    )
    row = deliver(raw, make_mailbox())

    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket_message is not None and "Body survives." in row.ticket_message.body_text


def test_undecodable_charsets_degrade_instead_of_failing() -> None:
    raw = (
        b"From: =?x-unknown?b?////?= <ana@customer.test>\r\n"
        b"Subject: caf\xe9 \xff\xfe\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"caf\xe9 \x00 \xed\xa0\x80 end\r\n"
    )
    row = deliver(raw, make_mailbox())

    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket_message is not None and "end" in row.ticket_message.body_text
    assert "\x00" not in row.ticket_message.body_text


def test_a_message_without_sender_is_quarantined() -> None:
    row = deliver(build(sender=""), make_mailbox())

    assert row.state == InboundState.QUARANTINED and row.reason == "The message has no sender."
    assert Ticket.objects.count() == 0


def test_an_invalid_sender_address_is_quarantined_with_the_reason() -> None:
    row = deliver(build(sender="not an address <a@@b>"), make_mailbox())

    assert (
        row.state == InboundState.QUARANTINED and "sender headers cannot be trusted" in row.reason
    )


def test_a_suspended_sender_is_quarantined() -> None:
    customer = make_customer(email="gone@customer.test")
    customer.is_active = False
    customer.save()
    row = deliver(build(sender="gone@customer.test"), make_mailbox())

    assert row.state == InboundState.QUARANTINED and "suspended" in row.reason
    assert Ticket.objects.count() == 0


def test_a_50_mb_message_over_the_mailbox_limit_is_stored_quarantined() -> None:
    mailbox = make_mailbox(max_message_bytes=1024 * 1024)
    head = build()
    raw = head + b"x" * (MAX_STORED_BYTES - len(head))
    assert len(raw) == MAX_STORED_BYTES
    row, created = store_raw(raw, mailbox=mailbox, source="smtp")

    assert created and row.state == InboundState.QUARANTINED and "limit" in row.reason
    assert row.sender == "ana@customer.test" and row.subject == "The printer is on fire"
    assert process(row.pk).state == InboundState.QUARANTINED
    assert Message.objects.count() == 0


def test_over_the_hard_cap_the_transport_gets_a_clear_refusal() -> None:
    with pytest.raises(MessageTooLarge, match="largest message"):
        store_raw(b"x" * (MAX_STORED_BYTES + 1), mailbox=make_mailbox(), source="smtp")
    assert InboundMessage.objects.count() == 0


def test_500_recipients_make_at_most_50_followers() -> None:
    cc = [f"person{i}@customer.test" for i in range(500)]
    row = deliver(build(cc=cc), make_mailbox())

    assert row.state == InboundState.PROCESSED and row.ticket is not None
    assert row.ticket.followers.count() == 50


def test_a_huge_text_body_is_cut_to_the_service_limit_not_refused() -> None:
    row = deliver(build(body="word " * 300_000), make_mailbox())

    assert row.state == InboundState.PROCESSED, row.reason
    assert row.ticket_message is not None and len(row.ticket_message.body_text) <= 1_000_000


def test_an_unexpected_failure_quarantines_and_leaves_nothing_half_written(
    settings: object,
) -> None:
    settings.ATIENDE_MAIL_RATE_LIMIT = ("not", "numbers")  # type: ignore[attr-defined]
    row = deliver(build(), make_mailbox())

    assert row.state == InboundState.QUARANTINED and "ValueError" in row.reason
    assert Ticket.objects.count() == 0


def test_a_message_whose_sender_writes_to_a_ticket_through_another_path_is_fine() -> None:
    customer = make_customer(email="ana@customer.test")
    from atiende.tickets.services import open_ticket

    open_ticket(SYSTEM, subject="Web", body="from the web", requester=customer)
    row = deliver(build(), make_mailbox())
    assert row.ticket is not None and row.ticket.requester == customer
    assert Ticket.objects.count() == 2
