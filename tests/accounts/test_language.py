"""A person's language: chosen, else their browser's, else the instance default; a new
customer from a channel speaks the language they wrote in."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from atiende.accounts import services
from atiende.core.actor import Actor, Source
from tests.factories import SYSTEM, make_agent

pytestmark = pytest.mark.django_db

EMAIL = Actor(user=None, source=Source.CHANNEL, detail="email:support@helpdesk.test")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hola, no puedo entrar en mi cuenta desde ayer, ¿me ayudan?", "", "es"),
        ("Hello, I cannot sign in to my account since yesterday.", "es", "en"),
        ("ok", "es", "es"),  # too short to tell: the channel's default
        ("ok", "", ""),  # nothing says: not chosen, mail follows the instance default
        ("ok", "fr", ""),  # a default we do not ship is no default
    ],
)
def test_a_new_customer_gets_the_language_they_wrote_in(
    text: str, language: str, expected: str
) -> None:
    user = services.find_or_create_customer(
        EMAIL, email="ana@customer.test", text=text, language=language
    )
    assert user.locale == expected


def test_a_known_customer_keeps_their_language() -> None:
    known = services.find_or_create_customer(SYSTEM, email="ana@customer.test")
    services.update_user(SYSTEM, user_id=known.pk, changes={"locale": "en"})
    again = services.find_or_create_customer(
        EMAIL, email="ana@customer.test", text="Hola, no puedo entrar en mi cuenta desde ayer"
    )
    assert again.pk == known.pk and again.locale == "en"


def test_new_users_have_chosen_nothing() -> None:
    agent = services.create_user(SYSTEM, email="new@helpdesk.test", role="agent")
    assert agent.locale == ""
    services.update_user(SYSTEM, user_id=agent.pk, changes={"locale": ""})  # allowed: "unset"


@pytest.mark.parametrize(
    ("locale", "accept", "default", "served"),
    [
        ("", "es-MX,es;q=0.9,en;q=0.5", "en", "es"),  # not chosen: the browser
        ("", "en-GB,en;q=0.9", "es", "en"),
        ("", "fr-FR,fr;q=0.9", "es", "es"),  # a browser language we do not ship: default
        ("", "fr-FR,fr;q=0.9", "en", "en"),
        ("", "", "es", "es"),  # no header: the instance default
        ("en", "es-ES,es;q=0.9", "es", "en"),  # chosen wins over the browser
        ("es", "en-US,en;q=0.9", "en", "es"),
    ],
)
def test_staff_are_served_in_their_choice_else_their_browser_else_the_default(
    settings: LazySettings, locale: str, accept: str, default: str, served: str
) -> None:
    settings.LANGUAGE_CODE = default
    client = Client(headers={"accept-language": accept} if accept else {})
    client.force_login(make_agent(locale=locale))
    response = client.get(reverse("inbox"))
    assert response.status_code == 200
    assert response["Content-Language"] == served
    assert f'<html lang="{served}">' in response.content.decode()


def test_the_preferences_form_starts_on_the_language_being_served() -> None:
    client = Client(headers={"accept-language": "es-ES,es;q=0.9"})
    client.force_login(make_agent(locale=""))
    body = client.get(reverse("account-preferences")).content.decode()
    assert '<option value="es" selected>' in body


def test_preferences_saved_is_said_in_the_language_just_chosen(settings: LazySettings) -> None:
    settings.LANGUAGE_CODE = "en"
    agent = make_agent(locale="en", name="Ana")
    client = Client()
    client.force_login(agent)
    response = client.post(
        reverse("account-preferences"),
        {"name": "Ana", "locale": "es", "time_zone": "UTC"},
        follow=True,
    )
    body = response.content.decode()
    assert '<html lang="es">' in body
    assert "Preferencias guardadas." in body and "Preferences saved." not in body
    agent.refresh_from_db()
    assert agent.locale == "es"
