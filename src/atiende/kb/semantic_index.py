"""Published translations in the semantic index (kind "article", object = the translation).

Indexed inside the publishing transaction (``in_transaction``): a publication and its vector
commit or roll back together, and a withdrawn text leaves the index in the same commit, so a
suggestion never points at a text nobody may read any more. Encoding one article (title and
the first 2,000 characters of its text) takes 10-70 ms on the bench machine, and publishing is
a rare, deliberate act by an editor, so doing it inline is cheaper than an outbox round trip;
when the encoder is unavailable the publication goes through unindexed and
``atiende semantic rebuild`` catches up.
"""

from __future__ import annotations

import logging
from itertools import batched

from atiende.core.actor import Actor
from atiende.core.event_types import ArticlePublished, ArticleWithdrawn
from atiende.core.events import subscribe
from atiende.core.markdown import render
from atiende.kb.models import ArticleTranslation
from atiende.kb.selectors import readable_translations
from atiende.semantic import encoder
from atiende.semantic import services as semantic

log = logging.getLogger(__name__)

KIND = "article"
SYSTEM = Actor.system("semantic-index")


def article_text(translation: ArticleTranslation) -> str:
    """What a translation is about: its published title, then its text without markup."""
    return f"{translation.published_title}\n{render(translation.published_body).text}"


@subscribe(ArticlePublished, in_transaction=True)
def index_published(event: ArticlePublished) -> None:
    if not encoder.enabled():
        return
    translation = readable_translations(SYSTEM).filter(pk=event.translation_id).first()
    if translation is None:  # published and withdrawn again in one transaction
        return
    if not semantic.index(KIND, translation.pk, translation.language, article_text(translation)):
        log.warning("article translation %s published without a vector", translation.pk)


@subscribe(ArticleWithdrawn, in_transaction=True)
def drop_withdrawn(event: ArticleWithdrawn) -> None:
    semantic.drop(KIND, event.translation_id)


def rebuild_articles(*, batch: int = 200) -> int:
    """Index every published translation again and forget any other; how many were indexed.
    ``0`` with texts to index means the encoder is unavailable (nothing is dropped then)."""
    translations = readable_translations(SYSTEM).order_by("pk")
    total, kept = 0, list[int]()
    for chunk in batched(translations.iterator(chunk_size=batch), batch):
        texts = [semantic.Text(t.pk, t.language, article_text(t)) for t in chunk]
        done = semantic.index_many(KIND, texts)
        if texts and not done:
            return 0
        total += done
        kept.extend(t.pk for t in chunk)
    semantic.keep_only(KIND, kept)
    return total
