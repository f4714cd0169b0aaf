"""Published translations enter the semantic index in the publishing transaction; withdrawn
ones leave it; the rebuild command catches up."""

from __future__ import annotations

import itertools

import pytest

from atiende.core.actor import Actor
from atiende.kb.models import ArticleTranslation
from atiende.kb.semantic_index import rebuild_articles
from atiende.kb.services import articles, structure
from atiende.semantic import services as semantic
from atiende.semantic.selectors import has, nearest
from tests.factories import make_agent, web

pytestmark = pytest.mark.django_db
_seq = itertools.count()


def _draft(actor: Actor, language: str, title: str, body: str) -> ArticleTranslation:
    category = structure.create_category(actor, names={"es": f"Cuenta {next(_seq)}"})
    section = structure.create_section(actor, category_id=category.pk, names={"es": "Acceso"})
    return articles.create_article(
        actor, section_id=section.pk, language=language, title=title, body=body
    )


def test_a_published_english_article_answers_a_spanish_question() -> None:
    agent = web(make_agent())
    password = _draft(
        agent,
        "en",
        "Reset a forgotten password",
        "Open **Sign in**, choose *Forgot password* and follow the link we email you.",
    )
    shipping = _draft(agent, "en", "Shipping to Canada", "Parcels take 5 to 7 working days.")
    draft = _draft(agent, "es", "Borrador sobre contraseñas", "Aún no publicado.")
    assert not has("article", password.pk)  # drafts are not indexed
    articles.publish(agent, translation_id=password.pk)
    articles.publish(agent, translation_id=shipping.pk)

    found = nearest("article", "Olvidé mi contraseña y no puedo entrar", 3)
    assert [i for i, _ in found][:1] == [password.pk]
    assert draft.pk not in {i for i, _ in found}


def test_an_archived_article_leaves_the_index_at_once() -> None:
    agent = web(make_agent())
    translation = _draft(agent, "es", "Cambiar la contraseña", "Ve a tu perfil.")
    articles.publish(agent, translation_id=translation.pk)
    assert has("article", translation.pk)
    articles.archive(agent, translation_id=translation.pk)
    assert not has("article", translation.pk)
    assert nearest("article", "cambiar la contraseña", 5) == []


def test_publishing_goes_through_when_the_encoder_is_unavailable(
    encoder_unavailable: None,
) -> None:
    agent = web(make_agent())
    translation = _draft(agent, "es", "Cambiar la contraseña", "Ve a tu perfil.")
    articles.publish(agent, translation_id=translation.pk)
    translation.refresh_from_db()
    assert translation.state == "published" and not has("article", translation.pk)


def test_rebuild_indexes_published_texts_and_forgets_the_rest() -> None:
    agent = web(make_agent())
    published = _draft(agent, "es", "Cambiar la contraseña", "Ve a tu perfil.")
    articles.publish(agent, translation_id=published.pk)
    semantic.drop("article", published.pk)  # e.g. published while the encoder was off
    semantic.index("article", 10**9, "en", "A translation deleted long ago")
    assert rebuild_articles() == 1
    assert has("article", published.pk) and not has("article", 10**9)
