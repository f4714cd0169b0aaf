"""/kb/search: the knowledge base's full-text search, for whoever calls it.

Results come through the reading gate: a customer's token finds public published articles
only (not in the total either); an agent's also finds internal ones. Logged as an API search.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from atiende.api.auth import actor
from atiende.api.schemas.common import errors
from atiende.core.text import clean_text
from atiende.kb.models.usage import SearchSource
from atiende.kb.search import search

router = Router(tags=["knowledge base"])


class KbSearchIn(Schema):
    q: str = Field(..., max_length=200, description="What to look for, as a reader types it.")
    lang: str = Field("", max_length=12, description="The reader's language (default: the site's).")
    limit: int = Field(10, ge=1, le=50)
    offset: int = Field(0, ge=0, le=1000)


class KbSearchResultOut(Schema):
    translation_id: int
    article_id: int
    language: str
    slug: str
    title: str
    title_html: str = Field(description="The title, escaped, the matching words in <mark>.")
    snippet_html: str = Field(description="A passage, escaped, the matching words in <mark>.")
    score: float
    other_language: bool = Field(description="Written in another language than the one asked.")


class KbSearchOut(Schema):
    query: str
    language: str
    total: int = Field(description="Matching articles (at least that many when ``more``).")
    more: bool = Field(description="More articles match than ``total`` says.")
    results: list[KbSearchResultOut]


@router.get("/kb/search", response={200: KbSearchOut, **errors(403, 422)})
def kb_search(request: HttpRequest, filters: Query[KbSearchIn]) -> dict[str, Any]:
    """Published articles matching ``q``, best first (accent-, case- and typo-tolerant)."""
    codes = {code for code, _name in settings.LANGUAGES}
    lang = filters.lang if filters.lang in codes else settings.LANGUAGE_CODE
    page = search(
        actor(request),
        clean_text(filters.q),
        language=lang,
        source=SearchSource.API,
        limit=filters.limit,
        offset=filters.offset,
    )
    return {
        "query": page.query,
        "language": page.language,
        "total": page.total,
        "more": page.more,
        "results": [
            {
                "translation_id": r.translation_id,
                "article_id": r.article_id,
                "language": r.language,
                "slug": r.slug,
                "title": r.plain_title,
                "title_html": str(r.title),
                "snippet_html": str(r.snippet),
                "score": round(r.score, 6),
                "other_language": r.other_language,
            }
            for r in page.results
        ],
    }
