"""What the agent formats is what the customer gets: the reply mail carries the Markdown's
HTML in its HTML part and a readable text part, in the customer's language."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes, policy
from typing import Any

import pytest

from atiende.core import markdown
from atiende.messaging.models import InboundMethod, Mailbox, OutboundEmail, OutboundKind, Security
from atiende.messaging.outbound import delivery
from atiende.tickets import services as tickets
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db

SOURCE = "**Hecho.** Pasos:\n\n1. reinicie\n2. entre en https://atiende.test/login\n\n*Gracias*"


def sent_reply(sink: SmtpSink, on_commit: Callable[..., Any], body: str, **mail: Any) -> Any:
    Mailbox.objects.create(
        address="support@helpdesk.test",
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
    )
    agent = make_agent(make_group("Support"), name="Carla")
    customer = make_customer(email="ana@customer.test", name="Ana", **mail)
    ticket = make_ticket(customer, group_id=agent.groups.get().pk)
    formatted = markdown.render(body)
    with on_commit():
        tickets.reply(
            web(agent), ticket_id=ticket.pk, body=formatted.text, body_html=formatted.html
        )
    row = OutboundEmail.objects.get(kind=OutboundKind.REPLY)
    delivery.deliver(row.pk)
    raw = sink.by_message_id()[row.message_id][0].raw
    return message_from_bytes(raw, policy=policy.default)


def test_the_reply_mail_keeps_the_agents_formatting(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    msg = sent_reply(smtp_sink, on_commit, SOURCE, locale="es")
    html = msg.get_body(("html",)).get_content()
    assert "<strong>Hecho.</strong>" in html and "<em>Gracias</em>" in html
    assert "<ol><li>reinicie</li>" in html
    assert '<a href="https://atiende.test/login"' in html
    assert "**" not in html
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Hola, Ana:" in text and "Carla ha respondido" in text
    assert "Hecho. Pasos:\n\n1. reinicie\n2. entre en https://atiende.test/login" in text
    assert "*" not in text and "<" not in text.replace("<https://", "")


def test_hostile_markdown_reaches_the_mail_as_text(
    smtp_sink: SmtpSink, on_commit: Callable[..., Any]
) -> None:
    msg = sent_reply(
        smtp_sink, on_commit, '<img src=x onerror="alert(1)"> [x](javascript:alert(1))'
    )
    html = msg.get_body(("html",)).get_content()
    assert "<img" not in html and "javascript:" not in html.replace("(javascript:", "")
    assert "&lt;img src=x" in html
