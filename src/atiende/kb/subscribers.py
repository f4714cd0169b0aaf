"""Keep the knowledge base's search index with the published texts, in the same transaction."""

from __future__ import annotations

from atiende.core.event_types import ArticlePublished, ArticleWithdrawn
from atiende.core.events import subscribe
from atiende.kb.search import index


@subscribe(ArticlePublished, in_transaction=True)
def index_published(event: ArticlePublished) -> None:
    index.index_translation(event.translation_id)


@subscribe(ArticleWithdrawn, in_transaction=True)
def drop_withdrawn(event: ArticleWithdrawn) -> None:
    index.drop_translation(event.translation_id)
