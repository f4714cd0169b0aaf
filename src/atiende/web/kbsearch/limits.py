"""A request budget per network address for search and suggestions (fixed windows, cache).

Suggestions run on every pause in typing, so the budget is generous; it only stops one
address from using the search as a free full-text engine.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

LIMIT = 120
WINDOW = 60  # seconds


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one more call of ``scope`` from this address; False past ``LIMIT`` a window."""
    limit, window = LIMIT, WINDOW
    address = str(request.META.get("REMOTE_ADDR") or "unknown")
    slot = int(time.time() // window)
    key = f"kbsearch:{scope}:{address}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        used = 1
    return used <= limit
