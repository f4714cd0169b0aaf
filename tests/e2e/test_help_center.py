"""A visitor in the help center, in Spanish, on a desktop and on a phone: home → category →
section → article, answers "was this helpful", and every page passes axe (and, on the phone,
the 44 px touch-target check). Screenshots of the home and the article are kept as artifacts.

Assertions use the data's own Spanish words and the markup, not interface strings, so the test
reads the same before and after the catalogue is compiled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.kb.models import ArticleFeedback, ArticleViewDay
from tests.e2e.axe import blocking_violations, report
from tests.e2e.test_phone import MIN_TARGET, SMALL_TARGETS
from tests.web.help.content import build_kb

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def audit(page: Page, where: str, *, phone: bool) -> list[str]:
    problems = []
    if found := blocking_violations(page):
        problems.append(report(where, found))
    if phone:
        small = list(page.evaluate(SMALL_TARGETS, MIN_TARGET))
        problems += [f"{where}: smaller than 44x44 px: {t}" for t in small]
    return problems


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_visitor_browses_to_an_article_and_answers(
    phone: bool, new_page: Callable[..., Page], screenshot: Callable[[Page, str], Path]
) -> None:
    kb = build_kb()
    page = new_page(phone=phone, locale="es-ES")
    problems: list[str] = []

    page.goto("/help/")
    expect(page).to_have_url(f"{page.url.split('/help/')[0]}/help/es/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="Procedimientos internos")).to_have_count(0)
    expect(page.get_by_role("search")).to_be_visible()
    problems += audit(page, "home", phone=phone)
    screenshot(page, "help-center")

    page.get_by_role("link", name="Cuenta", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cuenta")
    problems += audit(page, "category", phone=phone)

    page.get_by_role("main").get_by_role("link", name="Acceso").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acceso")
    expect(page.get_by_role("link", name="Borrador secreto")).to_have_count(0)
    problems += audit(page, "section", phone=phone)

    page.get_by_role("link", name="Cambiar la contraseña").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cambiar la contraseña")
    expect(page.locator(".help-body h2#pasos")).to_have_text("Pasos")
    expect(page.locator('a[hreflang="en"]').first).to_be_visible()
    problems += audit(page, "article", phone=phone)
    screenshot(page, "help-article")

    page.locator("#feedback-comment").fill("Me faltaba el paso del correo")
    page.locator('button[name="helpful"][value="yes"]').click()
    expect(page.locator(".help-thanks")).to_be_visible()
    expect(page.locator('button[name="helpful"][value="yes"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    problems += audit(page, "article, answered", phone=phone)

    [answer] = ArticleFeedback.objects.filter(translation=kb.public)
    assert (answer.helpful, answer.comment) == (True, "Me faltaba el paso del correo")
    assert ArticleViewDay.objects.get(translation=kb.public).views >= 1
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("language", "phone", "typed", "title"),
    [
        ("es", False, "cambiar contrasena", "Cambiar la contraseña"),  # no accent
        ("es", True, "contrasñea", "Cambiar la contraseña"),  # a typo
        ("en", False, "chnage pasword", "Change your password"),  # two typos, in English
    ],
    ids=["es-desktop-unaccented", "es-phone-typo", "en-desktop-typos"],
)
def test_a_customer_finds_the_article_as_they_type_it(
    language: str,
    phone: bool,
    typed: str,
    title: str,
    new_page: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    build_kb()
    page = new_page(phone=phone, locale=f"{language}-ES" if language == "es" else "en-GB")
    page.goto(f"/help/{language}/")
    page.locator("#help-q").fill(typed)
    # Offered while typing, before the search is sent.
    expect(page.locator(".help-suggest").get_by_role("button", name=title)).to_be_visible()
    page.locator("#help-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/help/search/\?q="))
    result = page.locator(".kb-result").first
    expect(result.get_by_role("link", name=title)).to_be_visible()
    expect(result.locator("mark").first).to_be_visible()  # the matched words highlighted
    expect(page.get_by_text("Restablecer cuentas bloqueadas")).to_have_count(0)  # internal
    problems = audit(page, f"search {typed}", phone=phone)
    screenshot(page, f"help-search-{language}")
    result.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert problems == [], "\n".join(problems)
