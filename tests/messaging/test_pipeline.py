"""The inbound pipeline on a real database: new tickets, customers, classification, bounces."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.db.models import Count

from atiende.accounts.models import Identity, User
from atiende.messaging.inbound.pipeline import process
from atiende.messaging.inbound.store import store_raw
from atiende.messaging.models import (
    DeliveryState,
    InboundMessage,
    InboundState,
    OutboundEmail,
    OutboundKind,
    ThreadKey,
)
from atiende.tickets.models import Attachment, Channel, Direction, Message, Ticket, TicketEvent
from tests.factories import make_group, make_org, make_ticket
from tests.messaging.mail import SUPPORT, build, deliver, make_mailbox

pytestmark = pytest.mark.django_db


def test_a_new_mail_opens_a_ticket_for_a_new_unverified_customer() -> None:
    group = make_group()
    org = make_org(domains=("customer.test",))
    mailbox = make_mailbox(group=group)

    row = deliver(build(message_id="first@customer.test"), mailbox)

    assert row.state == InboundState.PROCESSED and row.reason == ""
    ticket = row.ticket
    assert ticket is not None and ticket.group == group and ticket.channel == Channel.EMAIL
    assert ticket.subject == "The printer is on fire"
    customer = ticket.requester
    assert customer.email == "ana@customer.test" and customer.name == "Ana Pérez"
    assert customer.organization == org and customer.email_verified_at is None
    identity = Identity.objects.get(user=customer)
    assert identity.value == "ana@customer.test" and identity.verified_at is None
    message = row.ticket_message
    assert message is not None and message.author == customer and message.public
    assert message.direction == Direction.INBOUND and message.channel == Channel.EMAIL
    assert message.external_id == "first@customer.test"
    assert message.body_text == "Hello, the printer is on fire."
    assert row.sender == "ana@customer.test" and row.message_id == "first@customer.test"
    assert ThreadKey.objects.filter(ticket=ticket, message_id="first@customer.test").exists()


def test_the_new_text_is_stored_and_the_original_stays_in_the_raw_row() -> None:
    body = (
        "Still broken, see below.\n\n-- \nAna\n\n"
        "On Mon, Nov 16, 2026 at 10:00 AM Support <support@helpdesk.test> wrote:\n"
        "> Did you try turning it off and on?\n> Regards\n> Support\n"
    )
    raw = build(body=body)
    row = deliver(raw, make_mailbox())

    assert row.ticket_message is not None
    assert row.ticket_message.body_text == "Still broken, see below."
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == raw


def test_html_only_mail_keeps_the_new_html_without_the_quote() -> None:
    msg = EmailMessage()
    msg["From"] = "ana@customer.test"
    msg["To"] = SUPPORT
    msg["Subject"] = "HTML"
    msg.set_content(
        "<p>New words</p><div class='gmail_quote'>On ... wrote:<blockquote>old</blockquote></div>",
        subtype="html",
    )
    row = deliver(msg.as_bytes(), make_mailbox())

    message = row.ticket_message
    assert message is not None and message.body_text == "New words"
    assert "New words" in message.body_html and "old" not in message.body_html


def test_processing_twice_changes_nothing() -> None:
    row = deliver(build(), make_mailbox())
    again = process(row.pk)

    assert again.state == InboundState.PROCESSED and again.ticket_message == row.ticket_message
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1


def test_the_same_bytes_delivered_twice_are_stored_once() -> None:
    mailbox = make_mailbox()
    raw = build()
    first, created = store_raw(raw, mailbox=mailbox, source="smtp")
    second, again = store_raw(raw, mailbox=mailbox, source="imap")

    assert created and not again and first.pk == second.pk
    process(first.pk)
    process(second.pk)
    assert InboundMessage.objects.count() == 1 and Message.objects.count() == 1


def test_one_mail_reaching_two_mailboxes_becomes_one_message() -> None:
    support, sales = make_mailbox(), make_mailbox("sales@helpdesk.test")
    raw = build(message_id="both@customer.test", to=f"{SUPPORT}, sales@helpdesk.test")
    first = deliver(b"Received: by mx1\r\n" + raw, support)
    second = deliver(b"Received: by mx2\r\n" + raw, sales)

    assert first.state == InboundState.PROCESSED
    assert second.state == InboundState.IGNORED and "another route" in second.reason
    assert second.ticket == first.ticket
    assert Message.objects.count() == 1


def test_mail_from_our_own_mailbox_is_ignored_with_the_reason() -> None:
    mailbox = make_mailbox()
    row = deliver(build(sender=f"Support <{SUPPORT}>"), mailbox)

    assert row.state == InboundState.IGNORED and "not signed" in row.reason
    assert Ticket.objects.count() == 0


def test_another_atiendes_mail_is_a_customers_mail() -> None:
    """Its X-Atiende headers and atiende.* Message-ID are not signed by us: not "our own"."""
    other = "atiende.7.0123456789abcdef.aaaaaaaaaaaaaaaaaaaa@other-helpdesk.test"
    raw = build(message_id=other, headers={"X-Atiende": "outbound", "X-Atiende-Ticket": "7"})

    row = deliver(raw, make_mailbox())

    assert row.state == InboundState.PROCESSED and row.ticket is not None


def test_mail_with_one_of_our_outbound_message_ids_is_ignored() -> None:
    ticket = make_ticket()
    OutboundEmail.objects.create(
        ticket=ticket, kind=OutboundKind.REPLY, subject="x", message_id="ours@helpdesk.test"
    )  # as the outbound queue does: the mail and its thread key
    ThreadKey.objects.create(ticket=ticket, message_id="ours@helpdesk.test", outbound=True)
    row = deliver(build(message_id="ours@helpdesk.test"), make_mailbox())

    assert row.state == InboundState.IGNORED


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "yes"},
        {"List-Id": "<news.customer.test>"},
    ],
)
def test_auto_generated_mail_becomes_a_message_marked_auto_generated(
    headers: dict[str, str],
) -> None:
    row = deliver(build(headers=headers), make_mailbox())

    assert row.state == InboundState.PROCESSED and row.auto_generated
    assert row.ticket_message is not None


def test_mail_from_mailer_daemon_is_auto_generated() -> None:
    row = deliver(build(sender="MAILER-DAEMON@mx.customer.test"), make_mailbox())

    assert row.state == InboundState.PROCESSED and row.auto_generated


def bounce(original_id: str, *, action: str = "failed") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n"
        "To: support@helpdesk.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.customer.test>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.customer.test\r\n\r\n"
        "Final-Recipient: rfc822; nobody@customer.test\r\n"
        f"Action: {action}\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: support@helpdesk.test\r\nMessage-ID: <{original_id}>\r\nSubject: Re\r\n\r\n"
        "--B--\r\n"
    ).encode()


def test_a_bounce_fails_the_outbound_email_and_leaves_an_internal_note() -> None:
    ticket = make_ticket()
    outbound = OutboundEmail.objects.create(
        ticket=ticket,
        kind=OutboundKind.REPLY,
        subject="Re",
        message_id="reply1@helpdesk.test",
        state=DeliveryState.SENT,
    )
    row = deliver(bounce("reply1@helpdesk.test"), make_mailbox())

    outbound.refresh_from_db()
    assert outbound.state == DeliveryState.FAILED
    assert "5.1.1" in outbound.reason and "User unknown" in outbound.reason
    assert row.state == InboundState.PROCESSED and row.ticket == ticket and row.auto_generated
    note = row.ticket_message
    assert note is not None and not note.public and note.ticket == ticket
    assert "could not be delivered" in note.body_text and "User unknown" in note.body_text
    assert Ticket.objects.count() == 1


def test_a_delay_warning_does_not_fail_the_outbound_email() -> None:
    ticket = make_ticket()
    outbound = OutboundEmail.objects.create(
        ticket=ticket, kind=OutboundKind.REPLY, subject="Re", message_id="r2@helpdesk.test"
    )
    row = deliver(bounce("r2@helpdesk.test", action="delayed"), make_mailbox())

    outbound.refresh_from_db()
    assert outbound.state == DeliveryState.QUEUED
    assert row.state == InboundState.PROCESSED and row.ticket_message is not None
    assert "delayed" in row.ticket_message.body_text


def test_a_bounce_of_mail_we_never_sent_is_ignored() -> None:
    row = deliver(bounce("unknown@elsewhere.test"), make_mailbox())

    assert row.state == InboundState.IGNORED and Ticket.objects.count() == 0


def test_a_reply_storm_is_rate_limited(settings: object) -> None:
    settings.ATIENDE_MAIL_RATE_LIMIT = (3, 600)  # type: ignore[attr-defined]
    mailbox = make_mailbox()
    rows = [deliver(build(subject=f"Auto {i}", body=f"n{i}"), mailbox) for i in range(5)]

    assert [r.state for r in rows] == [InboundState.PROCESSED] * 3 + [InboundState.QUARANTINED] * 2
    assert rows[-1].reason.startswith("Rate limited: more than 3 messages")


def test_imports_are_not_rate_limited(settings: object) -> None:
    settings.ATIENDE_MAIL_RATE_LIMIT = (2, 600)  # type: ignore[attr-defined]
    mailbox = make_mailbox()
    rows = [deliver(build(body=f"n{i}"), mailbox, source="import") for i in range(4)]

    assert {r.state for r in rows} == {InboundState.PROCESSED}


def test_cc_becomes_followers_without_our_mailboxes_or_the_sender() -> None:
    make_mailbox("sales@helpdesk.test")
    row = deliver(
        build(cc=["Bea <bea@customer.test>", "sales@helpdesk.test", "ana@customer.test"]),
        make_mailbox(),
    )

    assert row.ticket is not None
    assert [u.email for u in row.ticket.followers.all()] == ["bea@customer.test"]
    event = TicketEvent.objects.get(ticket=row.ticket, field="followers")
    assert event.source == "channel"


def test_attachments_and_inline_images_are_stored_and_cid_rewritten() -> None:
    msg = EmailMessage()
    msg["From"] = "ana@customer.test"
    msg["To"] = SUPPORT
    msg["Subject"] = "Screenshot"
    msg.set_content("See the screenshot.")
    msg.add_alternative('<p>See <img src="cid:shot1@customer.test"></p>', subtype="html")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    msg.get_payload()[1].add_related(png, "image", "png", cid="<shot1@customer.test>")
    msg.add_attachment(
        b"TNEF data", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    row = deliver(msg.as_bytes(), make_mailbox())

    message = row.ticket_message
    assert message is not None
    files = {a.filename: a for a in Attachment.objects.filter(message=message)}
    assert set(files) == {"attachment.png", "winmail.dat"}
    assert files["winmail.dat"].file.read() == b"TNEF data"
    image = files["attachment.png"]
    assert f'src="/api/v1/attachments/{image.pk}"' in message.body_html
    assert "cid:" not in message.body_html


def test_reply_attachments_are_claimed_by_the_reply() -> None:
    mailbox = make_mailbox()
    first = deliver(build(message_id="a1@customer.test"), mailbox)
    reply = deliver(
        build(
            in_reply_to="a1@customer.test",
            attachments=[("log.txt", "text/plain", b"error 42")],
        ),
        mailbox,
    )

    assert reply.ticket == first.ticket
    assert [a.filename for a in Attachment.objects.filter(message=reply.ticket_message)] == [
        "log.txt"
    ]


def test_many_messages_make_no_duplicate_customers() -> None:
    mailbox = make_mailbox()
    for i in range(3):
        deliver(build(body=f"n{i}", cc=["bea@customer.test"]), mailbox)

    emails = User.objects.values("email").annotate(n=Count("pk")).filter(n__gt=1)
    assert not emails.exists()
    assert Ticket.objects.count() == 3
