"""The API's request budget per user: fixed windows counted in the cache.

The cache is Redis in production (shared by every process, atomic ``incr``) and local memory
in an embedded run. Every authenticated answer says how much budget is left
(``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``); past it the answer is a
429 problem with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError

Clock = Callable[[], float]


class RateLimited(AtiendeError):
    code = "rate_limited"
    status = 429
    title = _("Too many requests")

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many requests: try again in %(seconds)d seconds.") % {"seconds": retry_after}
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }


def spend(request: HttpRequest, user_id: int, clock: Clock = time.time) -> None:
    """Count one request against ``user_id``'s window; raise ``RateLimited`` past the limit.

    The budget is kept on the request for ``add_headers``.
    """
    limit = settings.ATIENDE_API_RATE_LIMIT
    if limit <= 0:
        return
    window = max(1, settings.ATIENDE_API_RATE_WINDOW)
    now = clock()
    index = int(now // window)
    reset = max(1, int((index + 1) * window - now))
    key = f"atiende:api-rate:{user_id}:{window}:{index}"
    cache.add(key, 0, timeout=window + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=window + 1)
        used = 1
    budget = Budget(limit=limit, remaining=max(0, limit - used), reset=reset)
    request.atiende_rate_budget = budget  # type: ignore[attr-defined]
    if used > limit:
        raise RateLimited(retry_after=reset)


def add_headers(request: HttpRequest, response: HttpResponseBase) -> None:
    budget: Budget | None = getattr(request, "atiende_rate_budget", None)
    if budget is None:
        return
    for name, value in budget.headers().items():
        response[name] = value
    if response.status_code == 429:
        response["Retry-After"] = str(budget.reset)
