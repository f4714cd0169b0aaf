"""Knowledge-base tables. Behaviour lives in the services; these are plain tables."""

from atiende.kb.models.articles import (
    Article,
    ArticleAttachment,
    ArticleState,
    ArticleTranslation,
    ArticleVersion,
    Visibility,
)
from atiende.kb.models.reading import ReaderDay
from atiende.kb.models.search import SearchDocument, SearchPosting, SearchWord
from atiende.kb.models.structure import Category, Section
from atiende.kb.models.usage import ArticleFeedback, ArticleViewDay, Deflection, SearchLog

__all__ = [
    "Article",
    "ArticleAttachment",
    "ArticleFeedback",
    "ArticleState",
    "ArticleTranslation",
    "ArticleVersion",
    "ArticleViewDay",
    "Category",
    "Deflection",
    "ReaderDay",
    "SearchDocument",
    "SearchLog",
    "SearchPosting",
    "SearchWord",
    "Section",
    "Visibility",
]
