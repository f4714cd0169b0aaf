"""A small request budget per network address for the help center's writes (feedback).

Fixed windows counted in the cache (Redis when configured, else this process's memory): the
answers are one per reader anyway, so this only stops one address from inventing readers.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

FEEDBACK_LIMIT = 30
FEEDBACK_WINDOW = 600  # seconds


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one more call of ``scope`` from this address; False past the limit of a window."""
    limit, window = FEEDBACK_LIMIT, FEEDBACK_WINDOW
    slot = int(time.time() // window)
    key = f"help:{scope}:{client_address(request)}:{slot}"
    cache.add(key, 0, timeout=window + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        used = 1
    return used <= limit
