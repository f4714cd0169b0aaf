"""Customers sign in by a code mailed to them, and verify their address: either proves the
address, marks our user (and their email identity) verified, and so organization sharing
takes effect. allauth's EmailAddress follows our user, never the other way round.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import Identity, User
from atiende.accounts.services import update_user
from atiende.outbox.tasks import deliver_due_effects
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets
from tests.factories import SYSTEM, make_customer, make_org, make_ticket, web

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REQUEST_CODE = "/accounts/login/code/"
CONFIRM_CODE = "/accounts/login/code/confirm/"


def the_worker_runs() -> None:
    deliver_due_effects.call()


def mailed_code() -> str:
    the_worker_runs()
    body = mail.outbox[-1].body
    found = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert found is not None, body
    return found.group(1)


def colleagues_ticket() -> Ticket:
    """A ticket of another person of Acme (an organization that shares its tickets)."""
    return make_ticket(requester=make_customer(email="colega@acme.test"))


def sees(user: User, ticket: Ticket) -> bool:
    return visible_tickets(web(User.objects.get(pk=user.pk))).filter(pk=ticket.pk).exists()


def test_a_customer_signs_in_by_code_and_is_verified_so_sharing_applies() -> None:
    make_org("Acme", domains=("acme.test",), shared=True)
    customer, shared = make_customer(email="lucia@acme.test"), colleagues_ticket()
    assert not sees(customer, shared)
    client = Client()

    asked = client.post(REQUEST_CODE, {"email": "Lucia@ACME.test"})
    assert asked.status_code == 302
    assert asked["Location"] == CONFIRM_CODE
    assert mail.outbox == []  # promised to the outbox, not sent by the request
    code = mailed_code()
    assert mail.outbox[-1].to == ["lucia@acme.test"]

    signed_in = client.post(CONFIRM_CODE, {"code": code})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("portal")
    account = client.get(reverse("signin-account")).content.decode()
    assert "Your email address is verified." in account
    customer.refresh_from_db()
    assert customer.email_verified_at is not None
    identity = Identity.objects.get(user=customer, value="lucia@acme.test")
    assert identity.verified_at is not None
    assert EmailAddress.objects.get(user=customer).verified
    assert sees(customer, shared)


def test_a_wrong_code_three_times_ends_the_attempt() -> None:
    customer = make_customer(email="lucia@example.com")
    client = Client()
    client.post(REQUEST_CODE, {"email": "lucia@example.com"})
    code = mailed_code()
    for wrong in ["AAAAAA", "' OR 1=1", "ñañañá"]:
        response = client.post(CONFIRM_CODE, {"code": wrong})
    assert "_auth_user_id" not in client.session
    late = client.post(CONFIRM_CODE, {"code": code})
    assert "_auth_user_id" not in client.session
    assert late.status_code in (200, 302)
    assert response is not None
    customer.refresh_from_db()
    assert customer.email_verified_at is None


def test_an_unknown_address_gets_the_same_answer() -> None:
    make_customer(email="lucia@example.com")
    known = Client().post(REQUEST_CODE, {"email": "lucia@example.com"})
    unknown = Client().post(REQUEST_CODE, {"email": "nadie@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    the_worker_runs()
    assert sorted(m.to[0] for m in mail.outbox) == ["lucia@example.com", "nadie@example.com"]


def test_a_customer_verifies_their_address_by_the_link() -> None:
    make_org("Acme", domains=("acme.test",), shared=True)
    customer, shared = make_customer(email="lucia@acme.test"), colleagues_ticket()
    client = Client()
    client.force_login(customer)
    page = client.get(reverse("signin-account")).content.decode()
    assert "Your email address is not verified yet." in page

    client.post(reverse("signin-account"))
    the_worker_runs()
    [message] = mail.outbox
    found = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", message.body)
    assert found is not None, message.body
    confirm = client.get(found.group(1))
    assert confirm.status_code == 200  # a button to press: a mail scanner's GET verifies nothing
    customer.refresh_from_db()
    assert customer.email_verified_at is None
    assert not sees(customer, shared)
    client.post(found.group(1))

    customer.refresh_from_db()
    assert customer.email_verified_at is not None
    assert sees(customer, shared)


def test_a_changed_email_is_unverified_and_the_old_one_signs_no_one_in() -> None:
    customer = make_customer(email="old@example.com")
    client = Client()
    client.post(REQUEST_CODE, {"email": "old@example.com"})
    client.post(CONFIRM_CODE, {"code": mailed_code()})
    customer.refresh_from_db()
    assert customer.email_verified_at is not None

    update_user(SYSTEM, user_id=customer.pk, changes={"email": "new@example.com"})

    customer.refresh_from_db()
    assert customer.email_verified_at is None
    assert not EmailAddress.objects.filter(email="old@example.com").exists()
    mail.outbox.clear()
    other = Client()
    other.post(REQUEST_CODE, {"email": "old@example.com"})
    the_worker_runs()
    assert "do not have any record of such an account" in mail.outbox[-1].body


def test_a_code_expires_after_five_minutes() -> None:
    """The code mailed at 10:00 signs in at 10:04:59 and no longer at 10:05:01."""
    make_customer(email="lucia@example.com")
    with time_machine.travel("2026-12-07 10:00:00+00:00", tick=False) as clock:
        in_time = Client()
        in_time.post(REQUEST_CODE, {"email": "lucia@example.com"})
        clock.shift(4 * 60 + 59)
        in_time.post(CONFIRM_CODE, {"code": mailed_code()})
        assert "_auth_user_id" in in_time.session

        late = Client()
        late.post(REQUEST_CODE, {"email": "lucia@example.com"})
        code = mailed_code()
        clock.shift(5 * 60 + 1)
        late.post(CONFIRM_CODE, {"code": code})
        assert "_auth_user_id" not in late.session
