"""Signing in (allauth, by email) for staff and customers, old links, and signing out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from tests.factories import PASSWORD, make_admin, make_agent, make_customer

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str) -> Response:
    return client.post(LOGIN, {"login": email, "password": password, **extra})


def test_sign_in_page_has_labelled_fields_csrf_and_no_sign_up() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_login">Email' in body
    assert '<label for="id_password">Password' in body
    assert "csrfmiddlewaretoken" in body
    assert reverse("account_reset_password") in body
    assert reverse("account_request_login_code") in body
    assert "sign up" not in body.lower()
    assert client.get("/accounts/signup/").status_code == 200  # allauth's "closed" page
    assert "closed" in client.get("/accounts/signup/").content.decode().lower()


def test_the_old_sign_in_address_keeps_its_next() -> None:
    response = Client().get("/login/?next=/inbox/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/inbox/"


def test_agent_signs_in_by_email_in_any_case_and_is_verified(client: Client) -> None:
    agent = make_agent(email="agent@example.com")
    assert agent.email_verified_at is None

    response = sign_in(client, "Agent@Example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain == [(reverse("inbox"), 302)]
    assert agent.display_name in home.content.decode()  # the account menu of the workspace
    assert User.objects.get(pk=agent.pk).email_verified_at is not None


def test_next_is_followed_but_never_off_site(client: Client) -> None:
    make_agent(email="agent@example.com")
    response = client.post(
        f"{LOGIN}?next=/inbox/", {"login": "agent@example.com", "password": PASSWORD}
    )
    assert response["Location"] == "/inbox/"

    other = Client()
    response = sign_in(other, "agent@example.com", next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_a_customer_signs_in_to_the_portal_not_the_workspace(client: Client) -> None:
    customer = make_customer(email="cliente@example.com")

    response = sign_in(client, "cliente@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("portal")
    page = client.get(reverse("signin-account")).content.decode()
    assert "You are signed in as cliente@example.com." in page
    home = client.get(reverse("home"))
    assert (home.status_code, home["Location"]) == (302, reverse("portal"))
    assert client.get(reverse("inbox")).status_code == 403
    # A password proves nothing about a customer's address; a code or a link does.
    assert User.objects.get(pk=customer.pk).email_verified_at is None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("agent@example.com", "not the password"),
        ("nobody@example.com", PASSWORD),
        ("agent@example.com", ""),
        ("' OR 1=1 --", PASSWORD),
        ("agent@example.com\x00", PASSWORD),
    ],
    ids=["wrong password", "unknown", "empty password", "injection", "nul"],
)
def test_bad_credentials_are_refused_with_one_clear_message(email: str, password: str) -> None:
    make_agent(email="agent@example.com")
    client = Client()

    response = sign_in(client, email, password)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "_auth_user_id" not in client.session


def test_wrong_password_names_no_account() -> None:
    make_agent(email="agent@example.com")
    known = sign_in(Client(), "agent@example.com", "not the password").content.decode()
    unknown = sign_in(Client(), "nobody@example.com", "not the password").content.decode()
    message = "The email or password is not correct."
    assert message in known
    assert message in unknown


def test_a_suspended_user_cannot_sign_in() -> None:
    make_agent(email="agent@example.com", is_active=False)
    client = Client()
    response = sign_in(client, "agent@example.com", follow="1")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_home_needs_a_signed_in_staff_member(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"

    client.force_login(make_customer())
    home = client.get(reverse("home"))
    assert (home.status_code, home["Location"]) == (302, reverse("portal"))
    assert client.get(reverse("inbox")).status_code == 403


def test_settings_link_only_for_administrators(client: Client) -> None:
    client.force_login(make_agent())
    assert reverse("settings-home") not in client.get(reverse("inbox")).content.decode()

    client.force_login(make_admin())
    assert reverse("settings-home") in client.get(reverse("inbox")).content.decode()


def test_signed_in_staff_skip_the_sign_in_page(client: Client) -> None:
    client.force_login(make_agent())

    response = client.get(reverse("account_login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sign_out_needs_post_and_ends_the_session(client: Client) -> None:
    client.force_login(make_agent())

    page = client.get(reverse("logout"))
    assert page.status_code == 200  # a confirmation page: a link cannot sign anyone out
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
