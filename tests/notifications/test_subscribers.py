"""Who gets a notification for what: each subscriber, self-actions excluded, scope respected."""

from __future__ import annotations

from typing import Any

import pytest

from atiende.accounts.models import User
from atiende.core.errors import NotFound
from atiende.notifications import services
from atiende.notifications.models import Kind, Notification
from atiende.realtime.models import LiveEvent
from atiende.tickets import services as tickets
from atiende.tickets.models import Ticket
from tests.factories import make_agent, make_customer, make_group, make_ticket, web

pytestmark = pytest.mark.django_db


def kinds_for(user: User) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "ticket_id")
    )


def test_assigning_a_ticket_notifies_the_assignee_and_logs_a_personal_event(
    on_commit: Any, english: None
) -> None:
    group = make_group()
    boss = make_agent(group, name="Ana Boss")
    worker = make_agent(group, locale="es")
    ticket = make_ticket(group_id=group.pk)
    with on_commit():
        tickets.assign_ticket(web(boss), ticket_id=ticket.pk, assignee_id=worker.pk)

    assert kinds_for(worker) == [(Kind.ASSIGNED, ticket.pk)]
    note = Notification.objects.get(recipient=worker)
    assert note.actor == boss and note.read_at is None
    event = LiveEvent.objects.get(type="notification")
    assert event.user_id == worker.pk and event.ticket_id == ticket.pk
    assert event.payload["notification_id"] == note.pk
    assert event.payload["number"] == ticket.number
    assert event.payload["unread"] == 1
    assert event.payload["kind"] == "assigned"
    # The text is in the recipient's language.
    assert (
        event.payload["text"].startswith("Ana Boss")
        and f"#{ticket.number}" in (event.payload["text"])
    )
    assert kinds_for(boss) == []


def test_assigning_yourself_notifies_nobody(on_commit: Any) -> None:
    group = make_group()
    agent = make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    with on_commit():
        tickets.assign_ticket(web(agent), ticket_id=ticket.pk, assignee_id=agent.pk)
    assert Notification.objects.count() == 0
    assert not LiveEvent.objects.filter(type="notification").exists()


def test_a_ticket_opened_already_assigned_notifies_the_assignee_unless_self(
    on_commit: Any,
) -> None:
    group = make_group()
    opener, assignee = make_agent(group), make_agent(group)
    with on_commit():
        given = make_ticket(actor=web(opener), group_id=group.pk, assignee_id=assignee.pk)
        make_ticket(actor=web(opener), group_id=group.pk, assignee_id=opener.pk)
    assert kinds_for(assignee) == [(Kind.ASSIGNED, given.pk)]
    assert kinds_for(opener) == []


def test_other_changes_notify_nobody(on_commit: Any) -> None:
    group = make_group()
    agent, assignee = make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk, assignee_id=assignee.pk)
    Notification.objects.all().delete()
    with on_commit():
        tickets.update_ticket(
            web(agent), ticket_id=ticket.pk, version=None, changes={"priority": "high"}
        )
    assert Notification.objects.count() == 0


def test_mentions_notify_each_mentioned_agent(on_commit: Any) -> None:
    group = make_group()
    author, ana, luis = make_agent(group), make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk)
    with on_commit():
        tickets.add_message(
            web(author),
            ticket_id=ticket.pk,
            body="@ana @luis have a look",
            public=False,
            mentions=[ana.pk, luis.pk],
        )
    assert kinds_for(ana) == [(Kind.MENTIONED, ticket.pk)]
    assert kinds_for(luis) == [(Kind.MENTIONED, ticket.pk)]
    assert kinds_for(author) == []


def test_customer_reply_notifies_assignee_and_staff_followers_who_may_see_it(
    on_commit: Any,
) -> None:
    group, elsewhere = make_group(), make_group()
    assignee, follower = make_agent(group), make_agent(group)
    outsider = make_agent(elsewhere)
    customer = make_customer()
    ticket = make_ticket(customer, group_id=group.pk, assignee_id=assignee.pk)
    Ticket.followers.through.objects.bulk_create(
        [
            Ticket.followers.through(ticket_id=ticket.pk, user_id=u.pk)
            for u in (follower, outsider, customer)
        ]
    )
    Notification.objects.all().delete()
    with on_commit():
        tickets.add_message(web(customer), ticket_id=ticket.pk, body="Any news?")
    assert kinds_for(assignee) == [(Kind.CUSTOMER_REPLIED, ticket.pk)]
    assert kinds_for(follower) == [(Kind.CUSTOMER_REPLIED, ticket.pk)]
    # An agent outside the ticket's group and the customer are never told.
    assert kinds_for(outsider) == []
    assert kinds_for(customer) == []


def test_agent_replies_notify_nobody(on_commit: Any) -> None:
    group = make_group()
    assignee, colleague = make_agent(group), make_agent(group)
    ticket = make_ticket(group_id=group.pk, assignee_id=assignee.pk)
    Notification.objects.all().delete()
    with on_commit():
        tickets.add_message(web(colleague), ticket_id=ticket.pk, body="Done.")
    assert Notification.objects.count() == 0


def test_marking_read_only_touches_your_own(on_commit: Any) -> None:
    group = make_group()
    boss, ana, luis = make_agent(group), make_agent(group), make_agent(group)
    first = make_ticket(group_id=group.pk)
    second = make_ticket(group_id=group.pk)
    for ticket, agent in ((first, ana), (second, ana), (first, luis)):
        with on_commit():
            tickets.assign_ticket(web(boss), ticket_id=ticket.pk, assignee_id=agent.pk)
    mine = Notification.objects.filter(recipient=ana).order_by("pk")
    theirs = Notification.objects.get(recipient=luis)

    with pytest.raises(NotFound):
        services.mark_read(web(ana), notification_id=theirs.pk)
    with pytest.raises(NotFound):
        services.mark_read(web(ana), notification_id=10**9)
    services.mark_read(web(ana), notification_id=mine[0].pk)
    assert services.unread_count(ana) == 1
    assert services.mark_all_read(web(ana)) == 1
    assert services.unread_count(ana) == 0
    assert services.unread_count(luis) == 1
