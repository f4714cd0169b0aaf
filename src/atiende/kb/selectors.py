"""Reads of the knowledge base. Every read of articles starts at `readable_translations`.

The rule is written once: anyone (a visitor, a customer) reads published translations of
public articles; staff also read published internal ones. Drafts, texts in review, archived
texts and old versions are read only by staff through the editor's own selectors.
"""

from __future__ import annotations

from django.db.models import QuerySet

from atiende.core.actor import Actor
from atiende.core.permissions import is_staff
from atiende.kb.models import ArticleState, ArticleTranslation, Visibility


def readable_translations(actor: Actor | None) -> QuerySet[ArticleTranslation]:
    """The published translations ``actor`` may read (``None``: an anonymous visitor)."""
    published = ArticleTranslation.objects.filter(state=ArticleState.PUBLISHED)
    if actor is not None and is_staff(actor):
        return published
    return published.filter(article__visibility=Visibility.PUBLIC)


def may_read_internal(actor: Actor | None) -> bool:
    """Whether ``actor`` reads internal (agents-only) articles."""
    return actor is not None and is_staff(actor)
