"""The API's request budget per user: fixed windows counted in the cache.

Failed authentications (a bad token) are counted per address the same way: past
``ATIENDE_API_AUTH_FAILURES`` in a window, every call from that address is a 429 until the
window ends, so a token cannot be guessed.

The cache is Redis in production (shared by every process, atomic ``incr``) and local memory
in an embedded run. Every authenticated answer says how much budget is left
(``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``); past it the answer is a
429 problem with ``Retry-After``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from atiende.core.errors import AtiendeError

Clock = Callable[[], float]
_clocks: list[Clock] = [time.time]


def now() -> float:
    """Seconds since the epoch: the windows' clock (tests move it with ``use_clock``)."""
    return _clocks[-1]()


@contextmanager
def use_clock(clock: Clock) -> Iterator[None]:
    """Count windows on ``clock`` inside the block (tests, instead of sleeping)."""
    _clocks.append(clock)
    try:
        yield
    finally:
        _clocks.remove(clock)


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


def spend(request: HttpRequest, user_id: int) -> None:
    """Count one request against ``user_id``'s window; raise ``RateLimited`` past the limit.

    The budget is kept on the request for ``add_headers``.
    """
    limit = settings.ATIENDE_API_RATE_LIMIT
    if limit <= 0:
        return
    window = max(1, settings.ATIENDE_API_RATE_WINDOW)
    used, reset = _count(f"atiende:api-rate:{user_id}", window)
    budget = Budget(limit=limit, remaining=max(0, limit - used), reset=reset)
    request.atiende_rate_budget = budget  # type: ignore[attr-defined]
    if used > limit:
        raise RateLimited(retry_after=reset)


def refuse_failing_address(request: HttpRequest) -> None:
    """Refuse an address that failed to authenticate too often in this window (429).

    Checked before a token is looked up, so guessing stops even with a right token in the mix.
    """
    limit = settings.ATIENDE_API_AUTH_FAILURES
    if limit <= 0:
        return
    window = max(1, settings.ATIENDE_API_AUTH_FAILURE_WINDOW)
    index = int(now() // window)
    failed = cache.get(f"atiende:api-auth-failed:{_address(request)}:{window}:{index}", 0)
    if failed >= limit:
        _refuse(request, limit, reset=max(1, int((index + 1) * window - now())))


def count_failure(request: HttpRequest) -> None:
    """Count one failed authentication (a bad token) against the caller's address."""
    limit = settings.ATIENDE_API_AUTH_FAILURES
    if limit <= 0:
        return
    _count(
        f"atiende:api-auth-failed:{_address(request)}",
        max(1, settings.ATIENDE_API_AUTH_FAILURE_WINDOW),
    )


def _refuse(request: HttpRequest, limit: int, *, reset: int) -> None:
    request.atiende_rate_budget = Budget(limit=limit, remaining=0, reset=reset)  # type: ignore[attr-defined]
    raise RateLimited(retry_after=reset)


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _count(prefix: str, window: int) -> tuple[int, int]:
    """Count one in the current fixed window of ``prefix``: (count so far, seconds left)."""
    at = now()
    index = int(at // window)
    reset = max(1, int((index + 1) * window - at))
    key = f"{prefix}:{window}:{index}"
    cache.add(key, 0, timeout=window + 1)
    try:
        used = int(cache.incr(key))
    except ValueError:  # expired between add and incr: this one opens a new window
        cache.set(key, 1, timeout=window + 1)
        used = 1
    return used, reset


def add_headers(request: HttpRequest, response: HttpResponseBase) -> None:
    budget: Budget | None = getattr(request, "atiende_rate_budget", None)
    if budget is None:
        return
    for name, value in budget.headers().items():
        response[name] = value
    if response.status_code == 429:
        response["Retry-After"] = str(budget.reset)
