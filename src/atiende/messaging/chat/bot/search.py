"""The knowledge base as the bot reads it: public articles in the visitor's language only.

The bot reads as an anonymous visitor (``actor=None``) through the knowledge base's own gate
and full-text search (``kb.search``: accent-blind, typos corrected), so it never offers an
internal or unpublished article. It searches the visitor's language alone: an article the
visitor cannot read is no answer. Every search is logged with source "bot"
(``SearchSource.BOT``), so the knowledge-base report counts the bot's questions and shows
those that found nothing (articles to write).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from atiende.kb.models.usage import SearchSource
from atiende.kb.search import log_search, query
from atiende.kb.selectors import readable_translations
from atiende.messaging.chat.bot.decision import MAX_ARTICLES, ArticleHit

EXCERPT_CHARS = 140


def has_knowledge_base(language: str) -> bool:
    """Whether a visitor can read any published article in ``language``."""
    return readable_translations(None).filter(language=language).exists()


def article_url(*, language: str, article_id: int, slug: str) -> str:
    """The article's public address in the help center (``ATIENDE_SITE_URL`` first)."""
    if slug:
        path = reverse(
            "help-article", kwargs={"lang": language, "article_id": article_id, "slug": slug}
        )
    else:
        path = reverse("help-article-id", kwargs={"lang": language, "article_id": article_id})
    return f"{str(settings.ATIENDE_SITE_URL).rstrip('/')}{path}"


def one_line(snippet: Any, limit: int = EXCERPT_CHARS) -> str:
    """A search snippet (escaped HTML with marks) as one line of plain text."""
    text = " ".join(html.unescape(strip_tags(str(snippet))).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:…") + "…"


def find_articles(text: str, language: str, *, limit: int = MAX_ARTICLES) -> list[ArticleHit]:
    """The best public articles in ``language`` for ``text``, best first; the search logged."""
    page = query.run(None, text, language=language, limit=limit, search_languages=[language])
    log_search(None, text=text, language=language, results=page.total, source=SearchSource.BOT)
    return [
        ArticleHit(
            translation_id=result.translation_id,
            title=result.plain_title,
            url=article_url(language=language, article_id=result.article_id, slug=result.slug),
            excerpt=one_line(result.snippet),
        )
        for result in page.results
        if result.language == language
    ]


def offered_articles(translation_ids: Sequence[int]) -> list[ArticleHit]:
    """The articles the bot offered (``BotOutcome.articles``), in the order offered, for the
    note on a chat it resolved; one no longer public is left out (the caller names its id)."""
    rows = (
        readable_translations(None)
        .filter(pk__in=list(translation_ids))
        .values_list("pk", "language", "article_id", "slug", "published_title", "title")
    )
    found = {
        pk: ArticleHit(
            translation_id=pk,
            title=published or title,
            url=article_url(language=language, article_id=article_id, slug=slug),
            excerpt="",
        )
        for pk, language, article_id, slug, published, title in rows
    }
    return [found[pk] for pk in translation_ids if pk in found]
