"""Email delivery in the channel contract's terms (issue 16, item 1): a mail reply's state —
queued, sent, failed with the reason (the SMTP server's answer or a bounce) — is shown by the
timeline's one delivery badge and the API, and each change publishes ``MessageDeliveryChanged``
once, as a channel send does (the live timeline refreshes on ``message.delivery``).

Mail goes to a real SMTP server on loopback; bounces come in through the real inbound pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atiende.core.event_types import MessageDeliveryChanged
from atiende.messaging.models import DeliveryState, OutboundEmail
from atiende.messaging.outbound import delivery
from atiende.messaging.outbound.services import retry_message_delivery
from atiende.realtime.models import LiveEvent
from atiende.tickets.models import Message, Ticket
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.mail import deliver as deliver_mail
from tests.messaging.servers import SmtpSink, smtp_sink
from tests.messaging.test_outbound import reply, smtp_mailbox
from tests.messaging.test_pipeline import bounce

pytestmark = pytest.mark.django_db
__all__ = ["smtp_sink"]


@pytest.fixture
def agent() -> Any:
    return make_agent(make_group("Soporte"))


@pytest.fixture
def ticket(agent: Any) -> Ticket:
    return make_ticket(make_customer(email="ana@customer.test"), group_id=agent.groups.get().pk)


def page(agent: Any, ticket: Ticket) -> str:
    client = Client()
    client.force_login(agent)
    answer = client.get(reverse("ticket", args=[ticket.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def badge(html: str, message: Message) -> str:
    """The delivery badge of ``message`` on the page (``id="delivery-<pk>"``)."""
    start = html.rindex("<p ", 0, html.index(f'id="delivery-{message.pk}"'))
    return html[start : html.index("</p>", start)]


def api_delivery(as_user: Any, agent: Any, ticket: Ticket, message: Message) -> Any:
    items = as_user(agent).get(f"/tickets/{ticket.pk}/messages").json()["items"]
    (item,) = [item for item in items if item["id"] == message.pk]
    return item["delivery"]


def changes(published: list[Any]) -> list[tuple[str, str, str]]:
    return [
        (event.provider, event.old_state, event.new_state)
        for event in published
        if isinstance(event, MessageDeliveryChanged)
    ]


def live_states(ticket: Ticket) -> list[str]:
    found = LiveEvent.objects.filter(type="message.delivery", ticket_id=ticket.pk).order_by("pk")
    return [event.payload["state"] for event in found]


def test_a_reply_by_email_shows_queued_then_sent_on_the_page_and_in_the_api(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    published: list[Any],
    as_user: Any,
    agent: Any,
    ticket: Ticket,
) -> None:
    smtp_mailbox(smtp_sink)
    message = reply(on_commit, agent, ticket, "Ya está arreglado.")
    row = OutboundEmail.objects.get(ticket_message=message)

    queued = badge(page(agent, ticket), message)
    assert 'data-state="queued"' in queued and "Email queued" in queued
    assert 'class="channel-delivery mail-delivery mail-delivery-queued"' in queued
    assert api_delivery(as_user, agent, ticket, message)["state"] == "queued"
    assert changes(published) == []  # queued when written: no change yet

    assert delivery.deliver(row.pk) == DeliveryState.SENT
    assert delivery.deliver(row.pk) == DeliveryState.SENT  # a second attempt changes nothing

    sent = badge(page(agent, ticket), message)
    assert 'data-state="sent"' in sent and "Email sent" in sent and "Retry" not in sent
    assert api_delivery(as_user, agent, ticket, message)["state"] == "sent"
    assert changes(published) == [("email", "queued", "sent")]
    (event,) = [e for e in published if isinstance(e, MessageDeliveryChanged)]
    assert event.ticket_id == ticket.pk and event.message_id == message.pk
    assert event.source == "channel" and event.source_detail == "email:support@helpdesk.test"
    assert live_states(ticket) == ["sent"]


def test_a_permanent_smtp_failure_shows_failed_with_the_reason_and_a_retry_queues_it(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    published: list[Any],
    as_user: Any,
    agent: Any,
    ticket: Ticket,
) -> None:
    smtp_mailbox(smtp_sink)
    smtp_sink.rcpt_answer = "550 5.1.1 <ana@customer.test>: user unknown"
    message = reply(on_commit, agent, ticket, "Hola")
    row = OutboundEmail.objects.get(ticket_message=message)

    assert delivery.deliver(row.pk) == DeliveryState.FAILED

    failed = badge(page(agent, ticket), message)
    assert 'data-state="failed"' in failed and "Retry" in failed
    assert "Email not delivered: ana@customer.test: 550 5.1.1" in failed
    shown = api_delivery(as_user, agent, ticket, message)
    assert shown["state"] == "failed" and "550 5.1.1" in shown["reason"]
    (event,) = [e for e in published if isinstance(e, MessageDeliveryChanged)]
    assert (event.old_state, event.new_state) == ("queued", "failed")
    assert "user unknown" in event.reason

    with on_commit():
        retry_message_delivery(web(agent), ticket_id=ticket.pk, message_id=message.pk)

    assert changes(published)[-1] == ("email", "failed", "queued")
    retried = [e for e in published if isinstance(e, MessageDeliveryChanged)][-1]
    assert retried.actor_id == agent.pk and retried.source == "web"
    assert live_states(ticket) == ["failed", "queued"]


def test_a_temporary_failure_is_no_change_of_state(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    published: list[Any],
    agent: Any,
    ticket: Ticket,
) -> None:
    smtp_mailbox(smtp_sink)
    smtp_sink.answer = "451 4.3.0 Mailbox busy, try later"
    message = reply(on_commit, agent, ticket, "Hola")

    assert delivery.deliver(OutboundEmail.objects.get(ticket_message=message).pk) == "queued"

    assert changes(published) == [] and live_states(ticket) == []


def test_a_bounce_shows_failed_with_the_bounces_reason_once(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    published: list[Any],
    as_user: Any,
    agent: Any,
    ticket: Ticket,
) -> None:
    mailbox = smtp_mailbox(smtp_sink)
    message = reply(on_commit, agent, ticket, "Hola")
    row = OutboundEmail.objects.get(ticket_message=message)
    delivery.deliver(row.pk)

    deliver_mail(bounce(row.message_id), mailbox)
    deliver_mail(bounce(row.message_id).replace(b"dsn1@", b"dsn2@"), mailbox)  # reported twice

    failed = badge(page(agent, ticket), message)
    assert 'data-state="failed"' in failed
    assert "Email not delivered: nobody@customer.test: 5.1.1 smtp; 550 5.1.1 User unknown" in failed
    assert api_delivery(as_user, agent, ticket, message)["state"] == "failed"
    assert changes(published) == [("email", "queued", "sent"), ("email", "sent", "failed")]
    assert live_states(ticket) == ["sent", "failed"]


def test_a_delay_warning_publishes_nothing(
    smtp_sink: SmtpSink,
    on_commit: Callable[..., Any],
    published: list[Any],
    agent: Any,
    ticket: Ticket,
) -> None:
    mailbox = smtp_mailbox(smtp_sink)
    message = reply(on_commit, agent, ticket, "Hola")
    row = OutboundEmail.objects.get(ticket_message=message)

    deliver_mail(bounce(row.message_id, action="delayed"), mailbox)

    row.refresh_from_db()
    assert row.state == DeliveryState.QUEUED and changes(published) == []


def test_a_notice_mail_that_carries_no_reply_publishes_nothing(
    smtp_sink: SmtpSink, published: list[Any], ticket: Ticket
) -> None:
    smtp_mailbox(smtp_sink)
    notice = OutboundEmail.objects.create(
        ticket=ticket,
        kind="received",
        to=["ana@customer.test"],
        subject="Recibido",
        message_id="<notice-1@helpdesk.test>",
    )

    assert delivery.deliver(notice.pk) == DeliveryState.SENT
    assert changes(published) == []
