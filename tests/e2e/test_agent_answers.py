"""An agent in Spanish answers with the knowledge base: the article the ticket's question
needs is offered on the ticket page, inserted as text into the reply and sent; a solved
ticket's answer becomes a draft article in one click."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from atiende.kb.models import ArticleTranslation
from atiende.kb.services import articles, structure
from atiende.tickets import services
from atiende.tickets.models import Message
from tests.e2e.conftest import js_errors
from tests.factories import SYSTEM, make_agent, make_customer, make_group, make_ticket, web

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ANSWER = "Abra **Acceso**, pulse *Olvidé mi clave* y siga el enlace que le enviamos."


def published(title: str, body: str) -> None:
    category = structure.create_category(SYSTEM, names={"es": "Cuenta"})
    section = structure.create_section(SYSTEM, category_id=category.pk, names={"es": "Acceso"})
    draft = articles.create_article(
        SYSTEM, section_id=section.pk, language="es", title=title, body=body
    )
    articles.publish(SYSTEM, translation_id=draft.pk)


def test_an_agent_inserts_the_suggested_article_and_turns_an_answer_into_an_article(
    new_page: Callable[..., Page], signed_in: Callable[..., Page]
) -> None:
    published("Cambiar la contraseña", ANSWER)
    group = make_group()
    agent = make_agent(group, locale="es")
    ticket = make_ticket(make_customer(), subject="No recuerdo mi contrasena", group_id=group.pk)
    page = signed_in(new_page(locale="es-ES"), agent)
    page.goto(f"/tickets/{ticket.pk}/")

    offered = page.locator(".suggested-article").filter(has_text="Cambiar la contraseña")
    expect(offered).to_be_visible()  # loaded with the panel, after the page
    offered.locator("[data-insert-text]").last.click()  # its text, not its link
    composer = page.locator("textarea[data-composer]")
    expect(composer).to_have_value(ANSWER)
    page.locator("#composer").get_by_role("button", name="Enviar", exact=True).click()
    expect(page.locator("#timeline")).to_contain_text("Olvidé mi clave")
    sent = Message.objects.filter(ticket=ticket, public=True).order_by("-pk").first()
    assert sent is not None and "Olvidé mi clave" in sent.body_text

    services.update_ticket(
        web(agent), ticket_id=ticket.pk, version=None, changes={"status": "solved"}
    )
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("button", name="Convertir en artículo").click()
    expect(page).to_have_url(re.compile(r"/kb/articles/\d+/"))
    draft = ArticleTranslation.objects.get(article__source_ticket=ticket)
    assert draft.state == "draft" and draft.title == "No recuerdo mi contrasena"
    assert "Olvidé mi clave" in draft.body
    assert js_errors(page) == []
