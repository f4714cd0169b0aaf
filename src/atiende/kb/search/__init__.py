"""Full-text search of the knowledge base's published articles (decision 0008).

``search`` (logged, through the reading gate), ``query.run`` (the same, unlogged, for
callers that log themselves), ``index`` (kept by ``kb.subscribers``; ``rebuild``).
"""

from atiende.kb.search.query import SearchPage, SearchResult
from atiende.kb.search.service import log_search, search

__all__ = ["SearchPage", "SearchResult", "log_search", "search"]
