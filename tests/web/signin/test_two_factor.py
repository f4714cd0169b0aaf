"""Two-factor sign-in for staff: enrol an authenticator app, sign in with its code or a
recovery code, and an admin requiring it of an agent (who then sets it up first).

TOTP codes are computed from the secret as an authenticator app would (allauth's HOTP).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from atiende.accounts.models import User
from tests.api.conftest import problem
from tests.factories import PASSWORD, make_admin, make_agent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOGIN = "/accounts/login/"
ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


def code(secret: str, step: int = 0) -> str:
    """The code an authenticator app shows now (``step`` periods later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def sign_in(client: Client, user: User) -> Any:
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def enrol(client: Client) -> str:
    """Set up TOTP as the signed-in person: confirm the password, scan, type the code."""
    first = client.get(ACTIVATE)
    if first.status_code == 302 and "reauthenticate" in first["Location"]:
        client.post(first["Location"], {"password": PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown to type in when the QR cannot be scanned
    done = client.post(ACTIVATE, {"code": code(secret)})
    assert done.status_code == 302, done.content.decode()
    return str(secret)


def test_an_agent_enrols_and_then_signs_in_with_a_code() -> None:
    agent = make_agent(email="ana@example.com")
    client = Client()
    sign_in(client, agent)
    secret = enrol(client)
    assert Authenticator.objects.filter(user=agent, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    codes = RecoveryCodes(
        Authenticator.objects.get(user=agent, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    client.post(reverse("logout"))

    again = Client()
    response = sign_in(again, agent)
    assert response["Location"] == AUTHENTICATE
    assert "_auth_user_id" not in again.session  # the password alone does not sign in
    assert again.get(reverse("inbox"))["Location"].startswith(LOGIN)

    wrong = again.post(AUTHENTICATE, {"code": "000000" if code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    ok = again.post(AUTHENTICATE, {"code": code(secret)})
    assert ok.status_code == 302
    assert again.get(reverse("inbox")).status_code == 200


def test_a_recovery_code_signs_in_once() -> None:
    agent = make_agent(email="ana@example.com")
    client = Client()
    sign_in(client, agent)
    enrol(client)
    [first, *_] = RecoveryCodes(
        Authenticator.objects.get(user=agent, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()

    one = Client()
    sign_in(one, agent)
    assert one.post(AUTHENTICATE, {"code": first}).status_code == 302
    assert one.get(reverse("inbox")).status_code == 200

    two = Client()
    sign_in(two, agent)
    refused = two.post(AUTHENTICATE, {"code": first})
    assert refused.status_code == 200
    assert "Incorrect code." in refused.content.decode()
    assert "_auth_user_id" not in two.session


def test_an_admin_requires_two_factor_and_the_agent_sets_it_up_first() -> None:
    admin, agent = make_admin(), make_agent(email="ana@example.com", name="Ana")
    boss = Client()
    boss.force_login(admin)
    form = {
        "name": "Ana",
        "email": "ana@example.com",
        "role": "agent",
        "locale": "",
        "time_zone": "UTC",
        "two_factor_required": "on",
    }
    page = boss.get(reverse("settings-agent", args=[agent.pk])).content.decode()
    assert 'name="two_factor_required"' in page
    boss.post(reverse("settings-agent", args=[agent.pk]), form)
    agent.refresh_from_db()
    assert agent.two_factor_required

    client = Client()
    assert sign_in(client, agent)["Location"] == reverse("home")
    for url in (reverse("inbox"), reverse("home"), reverse("account-preferences")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == ACTIVATE
    refused = problem(client.get("/api/v1/tickets"), 403)
    assert refused["type"].endswith("/two_factor_required")

    enrol(client)
    assert client.get(reverse("inbox")).status_code == 200


def test_required_for_all_staff_by_the_instance_setting_but_never_for_customers(
    settings: Any,
) -> None:
    settings.ATIENDE_STAFF_TWO_FACTOR_REQUIRED = True
    from tests.factories import make_customer

    agent, customer = make_agent(), make_customer()
    staff, person = Client(), Client()
    staff.force_login(agent)
    person.force_login(customer)
    assert staff.get(reverse("inbox"))["Location"] == ACTIVATE
    assert person.get(reverse("signin-account")).status_code == 200
