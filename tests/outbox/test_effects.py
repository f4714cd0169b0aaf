"""The effects that go through the outbox: reply mail, notifications, live events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from atiende.messaging.models import DeliveryState, InboundMethod, Mailbox, OutboundEmail, Security
from atiende.messaging.outbound import delivery as sending
from atiende.messaging.subscribers import REPLY, mail_agent_reply
from atiende.notifications.models import Notification
from atiende.outbox.models import Effect, EffectState
from atiende.outbox.registry import Delivery
from atiende.outbox.tasks import deliver_due_effects
from atiende.realtime.models import LiveEvent
from atiende.tickets import services as tickets
from tests.factories import make_agent, make_customer, make_group, make_ticket, web
from tests.messaging.servers import SmtpSink

pytestmark = pytest.mark.django_db


def smtp_mailbox(sink: SmtpSink) -> Mailbox:
    return Mailbox.objects.create(
        address="support@helpdesk.test",
        inbound_method=InboundMethod.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.NONE,
    )


def test_a_reply_is_one_outbox_row_and_its_mail_leaves_through_the_worker(
    smtp_sink: SmtpSink, settings: Any
) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False  # as if the process died after the commit
    smtp_mailbox(smtp_sink)
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(make_customer(email="ana@customer.test"), group_id=group.pk)
    message = tickets.add_message(web(agent), ticket_id=ticket.pk, body="On its way.")

    effect = Effect.objects.get(kind=REPLY)
    assert effect.payload == {"ticket_id": ticket.pk, "message_id": message.pk}
    assert not OutboundEmail.objects.exists()  # nothing but the promise yet

    deliver_due_effects.call()  # the worker's sweep
    mail = OutboundEmail.objects.get(ticket_message=message)
    assert mail.effect_key == effect.key
    assert sending.deliver(mail.pk) == DeliveryState.SENT
    [received] = smtp_sink.received
    assert received.message["Message-ID"] == f"<{mail.message_id}>"
    effect.refresh_from_db()
    assert effect.state == EffectState.DELIVERED


def test_a_reply_mail_effect_delivered_twice_queues_one_mail(settings: Any) -> None:
    settings.ATIENDE_OUTBOX_DELIVER_AT_ONCE = False
    agent = make_agent()
    ticket = make_ticket(make_customer(email="ana@customer.test"))
    tickets.add_message(web(agent), ticket_id=ticket.pk, body="On its way.")
    row = Effect.objects.get(kind=REPLY)
    effect = Delivery(kind=row.kind, key=row.key, payload=row.payload, attempt=1)
    with transaction.atomic():
        mail_agent_reply(effect)
    with transaction.atomic():
        mail_agent_reply(effect)  # a second delivery finds the mail and does nothing
    assert OutboundEmail.objects.filter(effect_key=row.key).count() == 1


def test_a_change_writes_its_effects_and_delivers_them_after_commit(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    boss, worker = make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    Effect.objects.all().delete()
    with on_commit():
        tickets.assign_ticket(web(boss), ticket_id=ticket.pk, assignee_id=worker.pk)
        kinds = sorted(Effect.objects.values_list("kind", flat=True))
        assert kinds == ["notify.assigned"]  # the live event is no outbox row …
        # … but the log's own row, written inside the change (decision 0002)
        assert LiveEvent.objects.filter(type="ticket.updated", ticket_id=ticket.pk).exists()
        assert not Notification.objects.exists()  # nothing delivered inside the change
    assert set(Effect.objects.values_list("state", flat=True)) == {EffectState.DELIVERED}
    assert Notification.objects.filter(recipient=worker, ticket_id=ticket.pk).count() == 1


def test_a_rolled_back_change_writes_no_effect_and_no_live_event(
    on_commit: Callable[..., Any],
) -> None:
    group = make_group()
    boss, worker = make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    Effect.objects.all().delete()
    before = LiveEvent.objects.count()

    class Undo(Exception):
        pass

    def assign_then_undo() -> None:
        with transaction.atomic():
            tickets.assign_ticket(web(boss), ticket_id=ticket.pk, assignee_id=worker.pk)
            raise Undo

    with on_commit(), pytest.raises(Undo):
        assign_then_undo()
    assert not Effect.objects.exists()
    assert LiveEvent.objects.count() == before
    assert not Notification.objects.filter(recipient=worker).exists()
