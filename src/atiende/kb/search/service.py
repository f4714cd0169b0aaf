"""Search the knowledge base on a reader's behalf, and log the search.

Every search is logged with its result count and where it came from (``SearchSource``): a
search with no result names an article to write. Only the first page of a search is logged
(turning pages is the same search).
"""

from __future__ import annotations

from atiende.core.actor import Actor
from atiende.kb.models import SearchLog
from atiende.kb.models.usage import SearchSource
from atiende.kb.search import query

MAX_LOGGED = 250


def log_search(
    reader: Actor | None, *, text: str, language: str, results: int, source: str
) -> SearchLog | None:
    """Record one search (nothing for an empty query)."""
    text = " ".join(text.split())[:MAX_LOGGED]
    if not text:
        return None
    user = reader.user if reader is not None else None
    return SearchLog.objects.create(
        query=text,
        language=language[:12],
        results=results,
        source=source if source in SearchSource.values else SearchSource.API,
        user=user if user is not None and user.pk is not None else None,
    )


def search(
    reader: Actor | None,
    text: str,
    *,
    language: str,
    source: str,
    limit: int = 10,
    offset: int = 0,
) -> query.SearchPage:
    """The results ``reader`` may read for ``text``, best first, logged."""
    page = query.run(reader, text, language=language, limit=limit, offset=offset)
    if offset == 0:
        log_search(reader, text=text, language=language, results=page.total, source=source)
    return page
