"""Articles for the search tests, written and published through the kb services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from atiende.core.actor import Actor
from atiende.kb.models import ArticleTranslation
from atiende.kb.search import vocabulary
from atiende.kb.services import articles, structure


@pytest.fixture(autouse=True)
def _fresh_vocabulary() -> Iterator[None]:
    """A rolled-back test's words must not linger in this process's memory."""
    vocabulary.forget()
    yield
    vocabulary.forget()


def section_for(agent: Actor) -> int:
    category = structure.create_category(agent, names={"es": "Ayuda", "en": "Help"})
    return structure.create_section(agent, category_id=category.pk, names={"es": "General"}).pk


def write(
    agent: Actor,
    section: int,
    *,
    title: str,
    body: str = "",
    language: str = "es",
    visibility: str = "public",
    publish: bool = True,
) -> ArticleTranslation:
    draft = articles.create_article(
        agent,
        section_id=section,
        language=language,
        title=title,
        body=body,
        visibility=visibility,
    )
    if publish:
        articles.publish(agent, translation_id=draft.pk)
    draft.refresh_from_db()
    return draft
