"""Replies find their ticket by Message-ID, Thread-Index or our tag, and only for its people."""

from __future__ import annotations

import base64

import pytest

from atiende.messaging.email import signing
from atiende.messaging.inbound.threading import conversation_key, tag_number, ticket_tag
from atiende.messaging.models import InboundState, OutboundEmail, OutboundKind, ThreadKey
from atiende.tickets import services
from atiende.tickets.models import Direction, LinkKind, StatusCategory, Ticket, TicketLink
from tests.factories import SYSTEM, make_agent, make_customer, make_group
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


def opened(mailbox: object = None, **fields: object) -> Ticket:
    row = deliver(build(**fields), mailbox or make_mailbox())  # type: ignore[arg-type]
    assert row.ticket is not None
    return row.ticket


def test_a_reply_joins_by_in_reply_to_of_our_outbound_mail() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, message_id="q1@customer.test")
    OutboundEmail.objects.create(
        ticket=ticket, kind=OutboundKind.REPLY, subject="Re", message_id="out1@helpdesk.test"
    )
    ThreadKey.objects.create(ticket=ticket, message_id="out1@helpdesk.test", outbound=True)

    row = deliver(build(subject="Re: anything", in_reply_to="out1@helpdesk.test"), mailbox)

    assert row.ticket == ticket and ticket.messages.count() == 2
    assert ThreadKey.objects.filter(ticket=ticket).count() == 3


def test_a_reply_joins_by_an_older_reference() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, message_id="q1@customer.test")
    row = deliver(
        build(in_reply_to="unknown@x.test", references=["q1@customer.test", "unknown@x.test"]),
        mailbox,
    )

    assert row.ticket == ticket


def test_outlook_thread_index_joins_the_conversation() -> None:
    mailbox = make_mailbox()
    conversation = bytes(range(22))
    first = base64.b64encode(conversation).decode()
    ticket = opened(mailbox, headers={"Thread-Index": first})
    later = base64.b64encode(conversation + b"\x01\x02\x03\x04\x05").decode()

    row = deliver(build(subject="RE: whatever", headers={"Thread-Index": later}), mailbox)

    assert row.ticket == ticket
    assert conversation_key(later) == conversation_key(first) != ""


def test_our_subject_tag_joins_but_subject_text_alone_never_does() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, subject="Invoice")
    tagged = deliver(build(subject=f"Re: {ticket_tag(ticket.number)} Invoice"), mailbox)
    same_subject = deliver(build(subject="Invoice", body="another"), mailbox)
    other_format = deliver(build(subject=f"Re: [Ticket#{ticket.number}]", body="x"), mailbox)

    assert tagged.ticket == ticket
    assert same_subject.ticket != ticket and other_format.ticket != ticket
    assert tag_number("[#1042] hi") == 1042 and tag_number("[Ticket#1042]") is None


def test_a_forged_in_reply_to_from_another_customer_opens_a_new_ticket() -> None:
    mailbox = make_mailbox()
    victim = opened(mailbox, message_id="secret@customer.test", subject="Private")
    row = deliver(
        build(
            sender="mallory@evil.test",
            in_reply_to="secret@customer.test",
            subject=f"Re: {ticket_tag(victim.number)} Private",
            body="Let me in",
        ),
        mailbox,
    )

    assert row.state == InboundState.PROCESSED
    assert row.ticket is not None and row.ticket != victim
    assert row.ticket.requester.email == "mallory@evil.test"
    assert victim.messages.count() == 1


def test_a_cc_colleague_replying_joins_as_follower() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, message_id="q1@customer.test", cc=["bea@customer.test"])
    row = deliver(build(sender="bea@customer.test", in_reply_to="q1@customer.test"), mailbox)

    assert row.ticket == ticket
    message = row.ticket_message
    assert message is not None and message.author is not None
    assert message.author.email == "bea@customer.test" and message.public


def test_an_agent_replying_by_email_is_a_public_agent_reply() -> None:
    """Only with proof, here the answer to the mail we signed for her (test_sender_trust)."""
    group = make_group()
    mailbox = make_mailbox(group=group)
    agent = make_agent(group, email="eva@helpdesk.test")
    ticket = opened(mailbox, message_id="q1@customer.test")
    ours = signing.new_message_id(ticket.number, "helpdesk.test", agent_id=agent.pk)
    row = deliver(
        build(
            sender="Eva <eva@helpdesk.test>",
            in_reply_to=ours,
            references=["q1@customer.test", ours],
            body="Fixed.",
        ),
        mailbox,
    )

    assert row.ticket == ticket
    message = row.ticket_message
    assert message is not None and message.author == agent and message.public
    assert message.direction == Direction.OUTBOUND
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_an_agent_who_cannot_see_the_ticket_opens_a_new_one() -> None:
    mailbox = make_mailbox(group=make_group())
    make_agent(make_group(), email="out@helpdesk.test")
    ticket = opened(mailbox, message_id="q1@customer.test")
    row = deliver(build(sender="out@helpdesk.test", in_reply_to="q1@customer.test"), mailbox)

    assert row.ticket != ticket


def test_a_customer_reply_reopens_a_solved_ticket() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, message_id="q1@customer.test")
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="solved")
    row = deliver(build(in_reply_to="q1@customer.test", body="Not fixed"), mailbox)

    ticket.refresh_from_db()
    assert row.ticket == ticket and ticket.status.category == StatusCategory.OPEN


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up() -> None:
    mailbox = make_mailbox()
    ticket = opened(mailbox, message_id="q1@customer.test")
    services.change_status(SYSTEM, ticket_id=ticket.pk, status="closed")
    row = deliver(build(in_reply_to="q1@customer.test", body="Again"), mailbox)

    assert row.ticket is not None and row.ticket != ticket
    link = TicketLink.objects.get(source=row.ticket)
    assert link.target == ticket and link.kind == LinkKind.RELATED
    assert ticket.messages.count() == 1


def test_a_reply_to_a_merged_ticket_lands_in_the_target() -> None:
    mailbox = make_mailbox()
    customer = make_customer(email="ana@customer.test")
    source = opened(mailbox, message_id="q1@customer.test")
    target = services.open_ticket(SYSTEM, subject="T", body="b", requester=customer)
    services.merge_tickets(SYSTEM, source_id=source.pk, target_id=target.pk)
    row = deliver(build(in_reply_to="q1@customer.test", body="Merged?"), mailbox)

    assert row.ticket == target


def test_every_processed_message_records_a_thread_key() -> None:
    mailbox = make_mailbox()
    conversation = base64.b64encode(bytes(range(30))).decode()
    row = deliver(build(message_id="k1@customer.test", headers={"Thread-Index": conversation}))
    second = deliver(build(message_id="k2@customer.test", in_reply_to="k1@customer.test"), mailbox)

    keys = ThreadKey.objects.filter(ticket=row.ticket).order_by("pk")
    assert [(k.message_id, bool(k.thread_index)) for k in keys] == [
        ("k1@customer.test", True),
        ("k2@customer.test", False),
    ]
    assert second.ticket == row.ticket
