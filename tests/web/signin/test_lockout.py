"""Failed sign-ins are limited per account and per address, with a clear, translated message.

allauth counts the failures in the cache by ``time.time()``: the test moves the clock
(time-machine) instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client

from tests.factories import PASSWORD, make_agent, make_customer

pytestmark = [pytest.mark.django_db]

LOGIN = "/accounts/login/"
LOCKED = "Too many failed login attempts. Try again later."
LOCKED_ES = "Demasiados intentos fallidos. Inténtelo más tarde."


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(time.time(), tick=True) as traveller:
        yield traveller


def attempt(email: str, password: str, *, ip: str = "10.0.0.1", lang: str = "en") -> str:
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=lang)
    response = client.post(LOGIN, {"login": email, "password": password})
    if response.status_code == 302:
        return "signed in"
    return response.content.decode()


@pytest.mark.usefixtures("english")
def test_an_account_locks_after_five_failures_even_for_the_right_password(
    clock: time_machine.Coordinates,
) -> None:
    make_agent(email="ana@example.com")
    for n in range(5):  # from different addresses: the account's own limit
        assert LOCKED not in attempt("ana@example.com", "wrong", ip=f"10.0.0.{n + 1}")

    assert LOCKED in attempt("ANA@example.com", PASSWORD, ip="10.0.0.99")

    clock.shift(15 * 60 + 1)
    assert attempt("ana@example.com", PASSWORD, ip="10.0.0.99") == "signed in"


@pytest.mark.usefixtures("english")
def test_one_address_guessing_many_accounts_is_stopped(clock: time_machine.Coordinates) -> None:
    people = [make_customer(email=f"c{n}@example.com") for n in range(21)]
    for person in people[:20]:
        assert LOCKED not in attempt(str(person.email), "wrong")

    # Another account, the right password, the same address: still refused.
    assert LOCKED in attempt(str(people[20].email), PASSWORD)
    # Elsewhere the account signs in.
    assert attempt(str(people[20].email), PASSWORD, ip="10.9.9.9") == "signed in"
    clock.shift(15 * 60 + 1)
    assert attempt(str(people[20].email), PASSWORD) == "signed in"


def test_the_lockout_message_is_in_spanish(clock: time_machine.Coordinates) -> None:
    make_agent(email="ana@example.com", locale="es")
    for _ in range(5):
        attempt("ana@example.com", "contraseña mala", lang="es")
    body = attempt("ana@example.com", PASSWORD, lang="es")
    assert LOCKED_ES in body
