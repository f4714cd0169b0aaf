"""A token bucket per webhook key: a flood through one key is refused before it is stored.

A leaked webhook key lets its holder post signed-looking junk that the endpoint stores raw
(and quarantines) — up to the provider's body limit, 1–3 MiB a request. The bucket refuses such
a flood with 429 and ``Retry-After`` *before* anything is written: refusing after storing would
still fill the disk. Real providers retry a 429 (Meta and Telegram with backoff; Twilio only
with its connection overrides), so the limits must sit well above an account's real peak:
they guard the disk, not a provider's pace.

Each request costs one token plus one per ``BYTES_PER_TOKEN`` of body, so a flood of large
bodies empties the bucket sooner than one of small messages. The bucket refills at
``ATIENDE_WEBHOOK_RATE`` tokens a second (default 1000, above the intake's 500 a second
target on one key) up to ``ATIENDE_WEBHOOK_BURST`` (default 5000); a rate of 0 switches it off.

The bucket lives in the cache (Redis when deployed, shared by every process). Its update is a
read then a write, not atomic: concurrent requests may each spend the same tokens, so a
flood overshoots by at most the requests in flight at once — a guard, not an accountant.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

Clock = Callable[[], float]
DEFAULT_RATE = 1000.0
DEFAULT_BURST = 5000.0
BYTES_PER_TOKEN = 16 * 1024
_PREFIX = "atiende:webhook-bucket:"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the request would be allowed


def limits() -> tuple[float, float]:
    """(tokens a second, bucket size) from the settings; a rate of 0 or less: no limit."""
    rate = float(getattr(settings, "ATIENDE_WEBHOOK_RATE", DEFAULT_RATE))
    burst = float(getattr(settings, "ATIENDE_WEBHOOK_BURST", DEFAULT_BURST))
    return rate, max(burst, 1.0)


def cost(body_size: int) -> float:
    return 1.0 + max(0, body_size) // BYTES_PER_TOKEN


def take(webhook_key: str, body_size: int = 0, *, clock: Clock = time.time) -> Verdict:
    """Spend the tokens of one request of ``body_size`` bytes to ``webhook_key``; refused
    (nothing spent) when the bucket has too few."""
    rate, burst = limits()
    if rate <= 0:
        return Verdict(allowed=True)
    now = clock()
    key = _PREFIX + webhook_key[:100]
    stored = cache.get(key)
    tokens, at = stored if isinstance(stored, tuple) and len(stored) == 2 else (burst, now)
    tokens = min(burst, float(tokens) + max(0.0, now - float(at)) * rate)
    needed = min(cost(body_size), burst)  # a body larger than the bucket still fits a full one
    timeout = math.ceil(burst / rate) + 1  # a full bucket needs no entry
    if tokens < needed:
        cache.set(key, (tokens, now), timeout=timeout)
        return Verdict(allowed=False, retry_after=max(1, math.ceil((needed - tokens) / rate)))
    cache.set(key, (tokens - needed, now), timeout=timeout)
    return Verdict(allowed=True)
