"""Automatic replies never reopen or move a ticket (issue 13, 1.3).

Out-of-office and vacation replies of every shape (the RFC 3834 header, the de-facto ones,
Exchange's, Gmail's, and subject lines in Spanish and English with and without accents) join
their ticket as an internal note marked automatic: no status change, no acknowledgement,
no mail back. Loop protection holds however slowly the other side answers: time is moved
by rewriting when each earlier mail arrived (no sleeps).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F

from atiende.messaging.email.auto import is_auto_subject
from atiende.messaging.models import InboundMessage, InboundState, OutboundEmail, OutboundKind
from atiende.tickets import services as tickets
from atiende.tickets.models import Status, StatusCategory, Ticket
from tests.factories import SYSTEM
from tests.messaging.mail import build, deliver, make_mailbox

pytestmark = pytest.mark.django_db

SHAPES = {
    "RFC 3834": ({"Auto-Submitted": "auto-replied"}, "Re: Printer"),
    "Gmail vacation": (
        {"Auto-Submitted": "auto-replied", "Precedence": "bulk"},
        "Vacaciones de Ana",
    ),
    "Exchange OOF": (
        {
            "Auto-Submitted": "auto-generated",
            "X-MS-Exchange-Generated-Message-Source": "Mailbox Rules Agent",
            "X-Auto-Response-Suppress": "All",
        },
        "Automatic reply: Printer",
    ),
    "Exchange, source only": (
        {"X-MS-Exchange-Generated-Message-Source": "Mailbox Rules Agent"},
        "RE: Printer",
    ),
    "Outlook suppress-all": ({"X-Auto-Response-Suppress": "All"}, "Printer"),
    "X-Autoreply": ({"X-Autoreply": "yes"}, "Re: Printer"),
    "X-Autorespond": ({"X-Autorespond": "Printer"}, "Re: Printer"),
    "Precedence auto_reply": ({"Precedence": "auto_reply"}, "Re: Printer"),
    "Precedence junk": ({"Precedence": "junk"}, "Re: Printer"),
    "Spanish Outlook, subject only": ({}, "Respuesta automática: Printer"),
    "no accents, upper case": ({}, "RESPUESTA AUTOMATICA: Printer"),
    "Fuera de la oficina": ({}, "RE: Fuera de la oficina"),
    "Out of Office": ({}, "Out of Office: Printer"),
    "automatic reply lower case": ({}, "automatic reply: Printer"),
    "Auto-Reply": ({}, "Auto-Reply: Printer"),
}


def ticket_in(category: str) -> tuple[Any, Ticket]:
    mailbox = make_mailbox()
    row = deliver(build(message_id="q1@customer.test", subject="Printer"), mailbox)
    assert row.ticket is not None
    status = Status.objects.filter(category=category).first()
    assert status is not None
    tickets.update_ticket(
        SYSTEM, ticket_id=row.ticket.pk, version=None, changes={"status": status.key}
    )
    row.ticket.refresh_from_db()
    return mailbox, row.ticket


@pytest.mark.parametrize(("headers", "subject"), SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize(
    "category", [StatusCategory.PENDING, StatusCategory.SOLVED, StatusCategory.CLOSED]
)
def test_an_automatic_reply_is_a_note_that_changes_nothing(
    headers: dict[str, str], subject: str, category: str, on_commit: Callable[..., Any]
) -> None:
    mailbox, ticket = ticket_in(category)
    before = (ticket.status_id, ticket.version, ticket.solved_at)

    with on_commit():
        row = deliver(
            build(
                subject=subject,
                in_reply_to="q1@customer.test",
                headers=headers,
                body="Vuelvo el lunes.",
            ),
            mailbox,
        )

    assert row.state == InboundState.PROCESSED and row.auto_generated
    assert row.ticket == ticket  # never a follow-up ticket, even when closed
    note = row.ticket_message
    assert note is not None and not note.public and note.author is None
    assert note.body_text.startswith("Automatic reply from ana@customer.test")
    ticket.refresh_from_db()
    assert (ticket.status_id, ticket.version, ticket.solved_at) == before
    assert not OutboundEmail.objects.exists()
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(("headers", "subject"), SHAPES.values(), ids=SHAPES.keys())
def test_an_automatic_reply_opening_a_ticket_gets_no_acknowledgement(
    headers: dict[str, str], subject: str, on_commit: Callable[..., Any]
) -> None:
    with on_commit():
        row = deliver(build(subject=subject, headers=headers), make_mailbox())

    assert row.ticket is not None and row.auto_generated
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Printer",
        "Question about automatic replies",
        "Re: my out of office settings are broken",
        "La respuesta automática no funciona",
        "Officina",
    ],
)
def test_a_person_writing_about_automatic_replies_is_a_person(subject: str) -> None:
    assert not is_auto_subject(subject)
    mailbox, ticket = ticket_in(StatusCategory.PENDING)

    row = deliver(build(subject=subject, in_reply_to="q1@customer.test"), mailbox)

    assert row.ticket_message is not None and row.ticket_message.public
    ticket.refresh_from_db()
    assert ticket.status.category == StatusCategory.OPEN  # a customer's reply reopens


def test_no_loop_when_the_other_side_answers_hours_apart(
    on_commit: Callable[..., Any], settings: Any
) -> None:
    """Our acknowledgement, then an out-of-office answer every three hours for a day: each
    lands as a note and nothing goes back. The rate limit (3 an hour here) never sees them,
    so it is not what stops the loop."""
    settings.ATIENDE_MAIL_RATE_LIMIT = (3, 3600)
    mailbox = make_mailbox()
    with on_commit():
        first = deliver(build(message_id="q1@customer.test", subject="Printer"), mailbox)
    assert first.ticket is not None
    ack = OutboundEmail.objects.get(kind=OutboundKind.RECEIVED)
    answers = []
    for _hour in range(0, 24, 3):
        # The clock: whatever arrived so far arrived three hours earlier.
        InboundMessage.objects.update(received_at=F("received_at") - timedelta(hours=3))
        raw = build(
            subject=f"Respuesta automática: [#{first.ticket.number}] Printer",
            in_reply_to=ack.message_id,
            headers={"Auto-Submitted": "auto-replied"},
        )
        with on_commit():
            answers.append(deliver(raw, mailbox))

    assert [a.state for a in answers] == [InboundState.PROCESSED] * 8
    assert all(a.ticket_message is not None and not a.ticket_message.public for a in answers)
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [ack.pk]
    first.ticket.refresh_from_db()
    assert first.ticket.status.category == StatusCategory.NEW
