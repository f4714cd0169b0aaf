"""An editor, in Spanish, publishes an article twice and restores the older version from the
history screen: the restore is a new version and readers get the old text back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from atiende.core.actor import Actor
from atiende.kb.models import ArticleTranslation
from atiende.kb.services import articles, structure
from tests.e2e.conftest import js_errors
from tests.factories import make_admin, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_editor_publishes_twice_and_restores_the_older_version(
    new_page: Callable[..., Page],
    signed_in: Callable[..., Page],
    screenshot: Callable[[Page, str], Path],
) -> None:
    editor = make_admin(name="Elena Editora", locale="es")
    system = Actor.system("tests")
    category = structure.create_category(system, names={"es": "Cuenta"})
    section = structure.create_section(system, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(
        web(editor),
        section_id=section.pk,
        language="es",
        title="Cambiar la contraseña",
        body="Abra «Mi cuenta» y pulse «Cambiar».",
    )
    page = new_page(locale="es-CL")
    signed_in(page, editor)

    page.goto(f"/kb/articles/{draft.pk}/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator('button[name="action"][value="publish"]').click()
    expect(page.locator(".flash")).to_be_visible()

    body = page.locator("[data-kb-body]")
    body.fill("Entre en «Ajustes», luego «Seguridad».")
    page.locator('button[name="action"][value="save"]').click()
    expect(page.locator(".flash")).to_be_visible()
    page.locator('button[name="action"][value="publish"]').click()
    expect(page.locator(".flash")).to_be_visible()

    page.goto(f"/kb/articles/{draft.pk}/history/")
    page.locator(".kb-compare button").click()
    expect(page.locator(".kb-diff .diff-removed")).to_contain_text("Mi cuenta")
    expect(page.locator(".kb-diff .diff-added")).to_contain_text("Seguridad")
    screenshot(page, "kb-history")
    page.locator('tr[data-version="1"] form button').click()

    expect(page.locator('tr[data-version="3"]')).to_be_visible()
    expect(page.locator('tr[data-version="3"]')).to_contain_text("1")  # restored from 1
    current = ArticleTranslation.objects.get(pk=draft.pk)
    assert (current.published_version, current.published_body) == (
        3,
        "Abra «Mi cuenta» y pulse «Cambiar».",
    )
    page.goto(f"/kb/articles/{draft.pk}/")
    screenshot(page, "kb-editor")
    assert js_errors(page) == []
