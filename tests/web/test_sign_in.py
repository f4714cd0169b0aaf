"""Signing in to the workspace: staff only, by email, and signing out again."""

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


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Response:
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_page_has_labelled_fields_and_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(reverse("login"))

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_username">Email</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert "csrfmiddlewaretoken" in body


def test_agent_signs_in_by_email_and_is_verified(client: Client) -> None:
    agent = make_agent(email="agent@example.com")
    assert agent.email_verified_at is None

    response = sign_in(client, "Agent@Example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"), follow=True)
    assert home.redirect_chain == [(reverse("inbox"), 302)]
    assert agent.display_name in home.content.decode()  # the account menu of the workspace
    assert User.objects.get(pk=agent.pk).email_verified_at is not None


def test_customer_is_refused_with_a_clear_error(client: Client) -> None:
    customer = make_customer(email="customer@example.com")

    response = sign_in(client, "customer@example.com")

    assert response.status_code == 200
    assert "This sign-in is for the support team." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=customer.pk).email_verified_at is None


def test_wrong_password_is_refused(client: Client) -> None:
    make_agent(email="agent@example.com")

    response = sign_in(client, "agent@example.com", "not the password")

    assert "The email or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_needs_a_signed_in_staff_member(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"

    client.force_login(make_customer())
    assert client.get(reverse("home")).status_code == 403


def test_settings_link_only_for_administrators(client: Client) -> None:
    client.force_login(make_agent())
    assert reverse("settings-home") not in client.get(reverse("inbox")).content.decode()

    client.force_login(make_admin())
    assert reverse("settings-home") in client.get(reverse("inbox")).content.decode()


def test_signed_in_staff_skip_the_sign_in_page(client: Client) -> None:
    client.force_login(make_agent())

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sign_out_needs_post_and_ends_the_session(client: Client) -> None:
    client.force_login(make_agent())

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
