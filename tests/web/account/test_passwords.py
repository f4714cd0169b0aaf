"""Password change for the signed-in agent, and reset by email from the sign-in page.

The reset mail is an outbox effect: the request only promises it, the worker sends it.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from atiende.outbox.tasks import deliver_due_effects
from tests.factories import PASSWORD, make_agent, make_customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "purple monkey dishwasher 7"


def the_worker_runs() -> None:
    """What ``atiende worker`` does with the outbox's minute sweep."""
    deliver_due_effects.call()


def reset_link(body: str) -> str:
    found = re.search(r"http://testserver(/account/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert found is not None, body
    return found.group(1)


def test_sign_in_page_links_to_the_reset() -> None:
    body = Client().get(reverse("login")).content.decode()
    assert f'<a href="{reverse("account-password-reset")}">Forgot your password?</a>' in body


def test_reset_end_to_end_in_the_users_language() -> None:
    agent = make_agent(email="ana@example.com", locale="es")
    client = Client()

    page = client.get(reverse("account-password-reset"))
    assert '<label for="id_email">' in page.content.decode()
    response = client.post(reverse("account-password-reset"), {"email": "ANA@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account-password-reset-done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert mail.outbox == []  # not sent by the view
    the_worker_runs()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    link = reset_link(message.body)

    # The link leads to a form on a token-less URL, then the password is saved once.
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    assert "set-password" in set_url
    assert '<html lang="' in form.content.decode()
    mismatch = client.post(set_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert mismatch.status_code == 200
    assert "The two password fields didn" in mismatch.content.decode()
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == reverse("account-password-reset-complete")
    agent.refresh_from_db()
    assert agent.check_password(NEW)

    # Used once: the same link is dead now.
    again = Client().get(link, follow=True).content.decode()
    assert "This link is not valid any more" in again
    signed_in = Client().post(reverse("login"), {"username": "ana@example.com", "password": NEW})
    assert signed_in.status_code == 302


def test_reset_email_is_written_in_each_users_language() -> None:
    """Rendered with the recipient's language, whatever the visitor's browser says."""
    make_agent(email="es@example.com", locale="es")
    make_agent(email="en@example.com", locale="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    client.post(reverse("account-password-reset"), {"email": "es@example.com"})
    client.post(reverse("account-password-reset"), {"email": "en@example.com"})
    the_worker_runs()

    spanish, english = mail.outbox
    assert "Iniciar sesión: http://testserver/login/" in spanish.body  # in the catalogue
    assert "Sign in: http://testserver/login/" in english.body
    assert reset_link(spanish.body) != reset_link(english.body)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: make_customer(email="who@example.com"),
        lambda: make_agent(email="who@example.com", is_active=False),
    ],
    ids=["customer", "suspended agent"],
)
def test_no_email_for_customers_suspended_or_unknown(make_user: object) -> None:
    make_user()  # type: ignore[operator]
    client = Client()
    for email in ["who@example.com", "nobody@example.com"]:
        response = client.post(reverse("account-password-reset"), {"email": email})
        assert response.status_code == 302  # the same answer: nothing is leaked
    the_worker_runs()
    assert mail.outbox == []


def test_invalid_email_is_an_error_next_to_the_field() -> None:
    response = Client().post(reverse("account-password-reset"), {"email": "not an email"})
    assert response.status_code == 200
    assert '<span class="field-error" role="alert">Enter a valid email address.</span>' in (
        response.content.decode()
    )
    the_worker_runs()
    assert mail.outbox == []


def test_a_forged_link_is_refused() -> None:
    agent = make_agent()
    client = Client()
    response = client.get(
        reverse("account-password-reset-confirm", args=["MTIz", "forged-token"]), follow=True
    )
    assert "This link is not valid any more" in response.content.decode()
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
    # Still signed in after the change.
    assert client.get(reverse("account-preferences")).status_code == 200


def test_password_change_is_for_staff_only() -> None:
    client = Client()
    assert client.get(reverse("account-password-change")).status_code == 302
    client.force_login(make_customer())
    assert client.get(reverse("account-password-change")).status_code == 403
    assert User.objects.count() == 1
