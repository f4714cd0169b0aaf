"""Password change for the signed-in agent, and reset by email (allauth) from the sign-in page.

The reset mail is an outbox effect: the request only promises it, the worker sends it. A
link works once and for ``PASSWORD_RESET_TIMEOUT`` (one hour); the answer and the work are
the same for known and unknown addresses.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.outbox.models import Effect
from atiende.outbox.tasks import deliver_due_effects
from tests.factories import PASSWORD, make_agent, make_customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "purple monkey dishwasher 7"
RESET = "/accounts/password/reset/"


def the_worker_runs() -> None:
    """What ``atiende worker`` does with the outbox's minute sweep."""
    deliver_due_effects.call()


def reset_link(body: str) -> str:
    found = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+/)", body)
    assert found is not None, body
    return found.group(1)


def choose(client: Client, link: str, password: str = NEW) -> Client:
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    client.post(set_url, {"password1": password, "password2": password})
    return client


class MadeAgo(EmailAwarePasswordResetTokenGenerator):
    """A token made some time ago: Django's ``_now`` seam, as its own token tests use it."""

    def __init__(self, ago: timedelta) -> None:
        super().__init__()
        self.ago = ago

    def _now(self) -> datetime:
        return datetime.now() - self.ago


def link_made_ago(user: User, ago: timedelta) -> str:
    token = MadeAgo(ago).make_token(user)
    return reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token}
    )


def page(url: str) -> str:
    """The page without what differs on every response (CSP nonce, CSRF token)."""
    body = Client().get(url).content.decode()
    return re.sub(r'(nonce|Nonce|X-CSRFToken)(": |=)"[^"]*"', "", body)


def test_sign_in_page_links_to_the_reset() -> None:
    body = Client().get(reverse("account_login")).content.decode()
    assert f'href="{RESET}"' in body


def test_reset_end_to_end_once_in_the_users_language() -> None:
    agent = make_agent(email="ana@example.com", locale="es")
    client = Client()

    page = client.get(RESET)
    assert '<label for="id_email">' in page.content.decode()
    response = client.post(RESET, {"email": "ANA@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert mail.outbox == []  # not sent by the view
    the_worker_runs()
    [message] = mail.outbox
    assert message.to == ["ana@example.com"]
    assert "restablecer" in message.body.lower()  # allauth's Spanish, the agent's language
    link = reset_link(message.body)

    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    assert "set-password" in set_url
    mismatch = client.post(set_url, {"password1": NEW, "password2": NEW + "x"})
    assert mismatch.status_code == 200
    assert "You must type the same password each time." in mismatch.content.decode()
    weak = client.post(set_url, {"password1": "123", "password2": "123"})
    assert "This password is too short." in weak.content.decode()
    done = client.post(set_url, {"password1": NEW, "password2": NEW})
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(NEW)

    # Used once: the same link is dead now, and cannot set another password.
    again = Client()
    dead = again.get(link, follow=True).content.decode()
    assert "Bad Token" in dead
    assert Client().post("/accounts/login/", {"login": "ana@example.com", "password": NEW})[
        "Location"
    ] == reverse("home")


def test_a_link_expires_after_an_hour() -> None:
    assert settings.PASSWORD_RESET_TIMEOUT == 3600
    agent = make_agent(email="ana@example.com")

    fresh = choose(Client(), link_made_ago(agent, timedelta(minutes=59)))
    agent.refresh_from_db()
    assert agent.check_password(NEW)
    assert fresh is not None

    stale = link_made_ago(agent, timedelta(minutes=61))
    body = Client().get(stale, follow=True).content.decode()
    assert "Bad Token" in body
    agent.refresh_from_db()
    assert agent.check_password(NEW)


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work() -> None:
    make_agent(email="known@example.com")
    known = Client().post(RESET, {"email": "known@example.com"})
    unknown = Client().post(RESET, {"email": "nobody@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert page(known["Location"]) == page(unknown["Location"])
    # Both promise one mail through the outbox; only the mailbox's owner reads which one.
    assert Effect.objects.count() == 2
    the_worker_runs()
    to_known, to_unknown = sorted(mail.outbox, key=lambda m: m.to[0])
    assert reset_link(to_known.body)
    assert "do not have any record of such an account" in to_unknown.body
    assert "/accounts/signup/" not in to_unknown.body


def test_a_customer_can_reset_too_and_a_suspended_agent_cannot() -> None:
    make_customer(email="cliente@example.com")
    make_agent(email="gone@example.com", is_active=False)
    client = Client()
    client.post(RESET, {"email": "cliente@example.com"})
    client.post(RESET, {"email": "gone@example.com"})
    the_worker_runs()
    customer_mail, suspended_mail = sorted(mail.outbox, key=lambda m: m.to[0])
    assert reset_link(customer_mail.body)
    assert "/accounts/password/reset/key/" not in suspended_mail.body


@pytest.mark.parametrize("email", ["not an email", "", "a@b@c", "ñandú@"], ids=str)
def test_invalid_email_is_an_error_next_to_the_field(email: str) -> None:
    response = Client().post(RESET, {"email": email})
    assert response.status_code == 200
    assert '<span class="field-error" role="alert">' in response.content.decode()
    the_worker_runs()
    assert mail.outbox == []


def test_a_forged_link_is_refused() -> None:
    agent = make_agent()
    response = Client().get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "3f", "key": "forged"}),
        follow=True,
    )
    assert "Bad Token" in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_password_change_for_the_signed_in_agent() -> None:
    agent = make_agent()
    client = Client()
    client.force_login(agent)
    url = reverse("account-password-change")

    page = client.get(url).content.decode()
    assert '<label for="id_old_password">' in page

    wrong = client.post(url, {"old_password": "not it", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly." in wrong.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)

    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200
    assert "This password is too short." in weak.content.decode()

    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("account-preferences")
    assert "Your password was changed." in response.content.decode()
    agent.refresh_from_db()
    assert agent.check_password(NEW)
    assert client.get(reverse("account-preferences")).status_code == 200


def test_password_change_is_for_staff_only() -> None:
    client = Client()
    assert client.get(reverse("account-password-change")).status_code == 302
    client.force_login(make_customer())
    assert client.get(reverse("account-password-change")).status_code == 403
    assert User.objects.count() == 1
