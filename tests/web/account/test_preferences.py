"""Preferences: name, language and time zone, applied from the next request on."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from tests.factories import make_agent, make_customer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def agent() -> User:
    return make_agent(name="Ana Agent")


@pytest.fixture
def as_agent(agent: User) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def test_page_shows_the_current_preferences(as_agent: Client) -> None:
    body = as_agent.get(reverse("account-preferences")).content.decode()
    assert '<label for="id_name">Display name</label>' in body
    assert 'value="Ana Agent"' in body
    assert '<option value="en" selected>English</option>' in body
    assert '<option value="UTC" selected>UTC</option>' in body
    assert '<option value="Europe/Madrid">Europe/Madrid</option>' in body


def test_switching_to_spanish_takes_effect_on_the_next_request(
    as_agent: Client, agent: User
) -> None:
    response = as_agent.post(
        reverse("account-preferences"),
        {"name": "Ana García", "locale": "es", "time_zone": "America/Bogota"},
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.name, agent.locale, agent.time_zone) == ("Ana García", "es", "America/Bogota")
    page = as_agent.get(response["Location"]).content.decode()
    assert '<html lang="es">' in page
    assert ">Preferencias<" in page  # already in the Spanish catalogue
    assert "Ana García" in page

    as_agent.post(
        reverse("account-preferences"), {"name": "Ana", "locale": "en", "time_zone": "UTC"}
    )
    assert '<html lang="en">' in as_agent.get(reverse("account-preferences")).content.decode()


def test_bad_values_are_refused_next_to_fields(as_agent: Client, agent: User) -> None:
    response = as_agent.post(
        reverse("account-preferences"),
        {"name": "x" * 201, "locale": "fr", "time_zone": "Nowhere/City"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "Ensure this value has at most 200 characters (it has 201)." in body
    assert "Select a valid choice. fr is not one of the available choices." in body
    assert "Select a valid choice. Nowhere/City is not one of the available choices." in body
    agent.refresh_from_db()
    assert (agent.name, agent.locale, agent.time_zone) == (
        "Ana Agent",
        "",
        "UTC",
    )  # unchanged: never chosen


def test_only_own_fields_can_change(as_agent: Client, agent: User) -> None:
    """Extra posted fields (role, active) are not part of the form and change nothing."""
    as_agent.post(
        reverse("account-preferences"),
        {"name": "Ana", "locale": "en", "time_zone": "UTC", "role": "admin", "is_active": ""},
    )
    agent.refresh_from_db()
    assert (agent.role, agent.is_active, agent.name) == ("agent", True, "Ana")


def test_customers_and_visitors_are_kept_out() -> None:
    client = Client()
    response = client.get(reverse("account-preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    customer = make_customer()
    client.force_login(customer)
    assert client.get(reverse("account-preferences")).status_code == 403
    response = client.post(
        reverse("account-preferences"), {"name": "X", "locale": "es", "time_zone": "UTC"}
    )
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.locale == ""  # unchanged: never chosen


def test_shortcuts_help_is_a_translated_dialog(as_agent: Client, agent: User) -> None:
    response = as_agent.get(reverse("account-shortcuts"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<dialog id="shortcuts-help"')
    assert 'aria-labelledby="shortcuts-help-title"' in body
    assert "<kbd>j</kbd>" in body
    assert "<kbd>?</kbd>" in body
    assert Client().get(reverse("account-shortcuts")).status_code == 302
