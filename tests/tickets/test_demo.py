"""The demo loader: the promised shape, a believable queue, and no second load.

One test loads the full-size demo through ``atiende demo`` (the path people use); the others
load a small one, which runs the same code in a fraction of the time."""

from __future__ import annotations

import contextlib
from collections import Counter

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from atiende.accounts.models import Group, Identity, Organization, Role, User
from atiende.cli import main
from atiende.tickets import demo_data
from atiende.tickets.demo import demo_logins, has_data, load_demo
from atiende.tickets.models import Message, Ticket, TicketEvent, TicketLink
from tests.factories import make_ticket, make_user

pytestmark = pytest.mark.django_db


SMALL = {"customers": 12, "tickets": 40}


def test_the_demo_command_loads_a_believable_full_size_helpdesk_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Loaded 300 tickets" in out
    password = out.split("write it down: ")[1].split()[0]
    assert len(password) >= 16
    assert "To start clean instead" in out and "atiende createadmin" in out

    assert Group.objects.count() == 3
    assert Organization.objects.filter(domains__isnull=False).distinct().count() == 2
    staff = User.objects.filter(role__in=[Role.ADMIN, Role.AGENT])
    assert staff.count() == 8
    assert staff.filter(role=Role.ADMIN).get().email == demo_data.ADMIN_EMAIL
    assert {u.locale for u in staff} == {"es", "en"}
    assert all(u.check_password(password) for u in staff)
    customers = User.objects.filter(role=Role.CUSTOMER)
    assert customers.count() == 50
    assert customers.filter(organization__isnull=False).count() >= 10
    assert Identity.objects.filter(channel="whatsapp").exists()
    assert Ticket.objects.count() == 300
    assert len(demo_logins()) == 8

    statuses = Counter(Ticket.objects.values_list("status__key", flat=True))
    assert statuses["closed"] + statuses["solved"] > 150
    assert all(statuses[key] > 0 for key in ("new", "open", "pending", "in_progress"))
    priorities = Counter(Ticket.objects.values_list("priority__key", flat=True))
    assert 0 < priorities["urgent"] < 30
    assert len(set(Ticket.objects.values_list("channel", flat=True))) >= 7
    assert Message.objects.filter(public=False).exists()
    assert Message.objects.filter(direction="out", public=True).exists()
    assert Ticket.objects.filter(tags__isnull=False).distinct().count() > 200
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
    assert TicketLink.objects.exists()
    assert TicketEvent.objects.filter(action="updated", field="status").exists()
    assert "Published 12 help-center articles" in out
    spanish, english = Client().get("/help/es/"), Client().get("/help/en/")  # the help center
    assert "Tu cuenta" in spanish.content.decode() and "Your account" in english.content.decode()

    assert main(["demo"]) == 0
    again = capsys.readouterr().out
    assert "already has users" in again and password not in again  # printed once
    assert Ticket.objects.count() == 300
    assert User.objects.count() == 58


def test_a_small_demo_has_the_same_shape_and_loads_once() -> None:
    summary = load_demo(**SMALL)

    assert summary is not None
    assert (summary.groups, summary.agents, summary.organizations) == (3, 8, 2)
    assert (summary.customers, summary.tickets, summary.merges) == (12, 40, 1)
    assert Ticket.objects.count() == 40 and len(demo_logins()) == 8
    assert User.objects.filter(role=Role.CUSTOMER).count() == 12
    assert TicketLink.objects.count() == summary.links
    assert Ticket.objects.filter(merged_into__isnull=False).count() == 1
    assert load_demo(**SMALL) is None
    assert Ticket.objects.count() == 40


@pytest.mark.parametrize("size", [{"customers": 1}, {"tickets": 1}])
def test_a_demo_too_small_to_hold_its_merge_is_refused(size: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least"):
        load_demo(**size)
    assert not Ticket.objects.exists()


def test_demo_history_is_backdated_in_order() -> None:
    load_demo(**SMALL)
    now = timezone.now()
    tickets = Ticket.objects.filter(merged_into__isnull=True, merged_from__isnull=True)
    oldest = min(tickets.values_list("created_at", flat=True))
    assert (now - oldest).days > 30
    for ticket in tickets.prefetch_related("messages")[:60]:
        times = [m.created_at for m in sorted(ticket.messages.all(), key=lambda m: m.pk)]
        assert times == sorted(times)
        assert ticket.created_at == times[0] <= now
        assert ticket.last_message_at == times[-1]
        if ticket.first_response_at is not None:
            assert ticket.created_at <= ticket.first_response_at <= now


class Undo(Exception):
    """Rolls a load back, as if it had been another installation's."""


def test_each_load_has_its_own_password_known_to_no_one_else() -> None:
    passwords = []
    for _ in range(2):
        with contextlib.suppress(Undo), transaction.atomic():
            summary = load_demo(**SMALL)
            assert summary is not None
            admin = User.objects.get(email=demo_data.ADMIN_EMAIL)
            assert admin.check_password(summary.password)
            assert not admin.check_password("atiende-demo")  # the password once published
            passwords.append(summary.password)
            raise Undo

    assert not User.objects.exists()
    assert passwords[0] != passwords[1]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AGENT, Role.CUSTOMER])
def test_the_demo_never_mixes_into_a_helpdesk_with_any_user(role: str) -> None:
    make_user(role)  # e.g. the administrator a production install starts with

    assert has_data()
    assert load_demo(**SMALL) is None
    assert not Ticket.objects.exists() and not Group.objects.exists()
    assert User.objects.count() == 1


def test_demo_is_not_loaded_over_existing_tickets() -> None:
    make_ticket()

    assert has_data()
    assert load_demo() is None
    assert not Group.objects.exists()
    assert not User.objects.filter(email=demo_data.ADMIN_EMAIL).exists()
