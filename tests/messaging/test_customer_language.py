"""Customers are answered in their language: the one they wrote in when new, else the
instance default; never English by accident. Every kind of customer mail is checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import LazySettings

from atiende.accounts.models import User
from atiende.core.errors import Invalid
from atiende.messaging.mailboxes import create_mailbox
from atiende.messaging.models import InboundMethod, Mailbox, OutboundEmail, OutboundKind, Security
from atiende.messaging.outbound import compose
from atiende.tickets import services as tickets
from atiende.tickets.models import Status, StatusCategory
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.mail import build, deliver
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db

SPANISH = "Hola, no puedo entrar en mi cuenta desde ayer. ¿Me pueden ayudar, por favor?"
ENGLISH = "Hello, I cannot sign in to my account since yesterday. Can you help me, please?"
GREETING = {"es": "Hola, Ana:", "en": "Hello Ana,"}


def support(sink: SmtpSink, language: str = "") -> Mailbox:
    return Mailbox.objects.create(
        address="support@helpdesk.test",
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
        language=language,
    )


def acknowledgement(
    sink: SmtpSink, on_commit: Callable[..., Any], language: str = "", **mail: Any
) -> str:
    with on_commit():
        deliver(build(sender="Ana <ana@customer.test>", **mail), support(sink, language))
    row = OutboundEmail.objects.get(kind=OutboundKind.RECEIVED)
    return compose.render(row.kind, outbound=row)[1]


@pytest.mark.parametrize(
    ("subject", "body", "default", "locale", "language"),
    [
        ("No puedo entrar", SPANISH, "en", "es", "es"),  # written in Spanish: Spanish
        ("Cannot sign in", ENGLISH, "es", "en", "en"),  # written in English: English
        ("ok", "ok", "es", "", "es"),  # too short to tell: the instance default...
        ("ok", "ok", "en", "", "en"),  # ...whichever it is
    ],
)
def test_a_customer_new_by_mail_is_answered_in_the_language_they_wrote(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    settings: LazySettings,
    subject: str,
    body: str,
    default: str,
    locale: str,
    language: str,
) -> None:
    settings.LANGUAGE_CODE = default
    text = acknowledgement(smtp_sink, on_commit, subject=subject, body=body)
    assert User.objects.get(email="ana@customer.test").locale == locale
    assert text.startswith(GREETING[language])


@pytest.mark.parametrize(
    ("body", "mailbox_language", "locale", "language"),
    [
        ("ok", "en", "en", "en"),  # too short: the mailbox's language, not the instance's
        ("ok", "", "", "es"),  # the mailbox has none: the instance default
        (SPANISH, "en", "es", "es"),  # what the customer wrote wins over the mailbox
    ],
)
def test_a_mailbox_language_answers_when_the_message_cannot(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    settings: LazySettings,
    body: str,
    mailbox_language: str,
    locale: str,
    language: str,
) -> None:
    settings.LANGUAGE_CODE = "es"
    text = acknowledgement(smtp_sink, on_commit, language=mailbox_language, subject="ok", body=body)
    assert User.objects.get(email="ana@customer.test").locale == locale
    assert text.startswith(GREETING[language])


def test_a_mailbox_language_must_be_shipped() -> None:
    with pytest.raises(Invalid) as refused:
        create_mailbox(SYSTEM, address="help@helpdesk.test", inbound_method="upload", language="fr")
    assert [e.field for e in refused.value.errors] == ["language"]
    made = create_mailbox(
        SYSTEM, address="help@helpdesk.test", inbound_method="upload", language="en"
    )
    assert made.language == "en"


def _replied(ticket: Any, agent: User, on_commit: Callable[..., Any]) -> None:
    with on_commit():
        tickets.reply(web(agent), ticket_id=ticket.pk, body="Listo / Done.")


def _solved(ticket: Any, agent: User, on_commit: Callable[..., Any]) -> None:
    solved = Status.objects.filter(category=StatusCategory.SOLVED).first()
    assert solved is not None
    with on_commit():
        tickets.update_ticket(
            SYSTEM, ticket_id=ticket.pk, version=None, changes={"status": solved.key}
        )


def _received(customer: User, on_commit: Callable[..., Any]) -> None:
    with on_commit():
        make_ticket(customer, actor=web(customer))


@pytest.mark.parametrize("kind", [OutboundKind.RECEIVED, OutboundKind.REPLY, OutboundKind.SOLVED])
@pytest.mark.parametrize(
    ("locale", "default", "language"),
    [("", "es", "es"), ("", "en", "en"), ("en", "es", "en"), ("es", "en", "es")],
)
def test_every_customer_mail_is_in_their_language_else_the_default(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    settings: LazySettings,
    kind: str,
    locale: str,
    default: str,
    language: str,
) -> None:
    settings.LANGUAGE_CODE = default
    support(smtp_sink)
    customer = make_customer(email="ana@customer.test", name="Ana", locale=locale)
    agent = make_agent(make_group("Support"))
    if kind == OutboundKind.RECEIVED:
        _received(customer, on_commit)
    else:
        ticket = make_ticket(customer, group_id=agent.groups.get().pk)
        (_replied if kind == OutboundKind.REPLY else _solved)(ticket, agent, on_commit)
    row = OutboundEmail.objects.get(kind=kind)
    _subject, text, _html = compose.render(row.kind, outbound=row)
    assert text.startswith(GREETING[language]), text
