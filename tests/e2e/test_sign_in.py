"""Signing in and out through the real form, in English and in Spanish."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import js_errors
from tests.factories import make_agent

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    # Committed data, so the server process sees it; the seeded statuses come back after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_agent_signs_in_in_english(
    page: Page, signed_in: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    agent = make_agent(name="Ada Lovelace", locale="en")

    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Sign in to the workspace")).to_be_visible()
    screenshot(page, "sign-in")

    signed_in(page, agent)

    expect(page).to_have_url(re.compile(r"/inbox/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".account-menu summary")).to_have_text("Ada Lovelace")
    assert js_errors(page) == []


def test_sign_in_page_speaks_the_browsers_language(
    new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    page = new_page(locale="es-ES")

    page.goto("/login/")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(
        page.get_by_role("heading", name="Iniciar sesión en el espacio de trabajo")
    ).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_be_visible()
    expect(page.get_by_label("Contraseña")).to_be_visible()
    expect(page.get_by_role("button", name="Iniciar sesión")).to_be_visible()
    screenshot(page, "sign-in")


def test_spanish_agent_gets_the_workspace_in_spanish(
    page: Page, signed_in: Callable[..., Page]
) -> None:
    """The user's language wins over the browser's (English here)."""
    agent = make_agent(locale="es")

    signed_in(page, agent)

    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator(".account-menu summary").click()
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()


def test_wrong_password_is_shown_next_to_the_form(page: Page) -> None:
    agent = make_agent()

    page.goto("/login/")
    page.locator('input[name="username"]').fill(agent.email)
    page.locator('input[name="password"]').fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/login/"))
    error = page.locator('form[action="/login/"] [role="alert"]')
    expect(error).to_have_text("The email or password is not correct.")
    # The email stays filled in; the password does not.
    expect(page.locator('input[name="username"]')).to_have_value(agent.email)
    expect(page.locator('input[name="password"]')).to_have_value("")


def test_wrong_password_in_spanish(new_page: Callable[..., Page]) -> None:
    agent = make_agent(locale="es")
    page = new_page(locale="es")

    page.goto("/login/")
    page.locator('input[name="username"]').fill(agent.email)
    page.locator('input[name="password"]').fill("no es la contraseña")
    page.get_by_role("button", name="Iniciar sesión").click()

    expect(page.locator('form[action="/login/"] [role="alert"]')).to_have_text(
        "El correo electrónico o la contraseña no son correctos."
    )


def test_sign_out_ends_the_session(page: Page, signed_in: Callable[..., Page]) -> None:
    agent = make_agent()
    signed_in(page, agent)

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/inbox/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/inbox/"))
