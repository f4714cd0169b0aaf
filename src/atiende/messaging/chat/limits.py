"""The visitor's rate limits: token buckets per chat, on the realtime clock.

A bucket holds ``burst`` tokens and refills ``rate`` a second; each message takes one. A
visitor with several sockets open in one process shares the chat's bucket. Across processes
each has its own (a visitor is pinned to one socket at a time in practice); the limit's job
is to stop a runaway page, not to meter exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from atiende.realtime import conf

MAX_BUCKETS = 10_000


@dataclass
class Bucket:
    tokens: float
    at: float

    def take(self, *, burst: float, rate: float, now: float) -> float:
        """0 when a token was taken; else the seconds until one is there (nothing taken)."""
        self.tokens = min(burst, self.tokens + (now - self.at) * rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / rate if rate > 0 else 60.0


class Limiter:
    """Buckets by key (a chat's token digest), forgotten when too many are kept."""

    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}

    def take(self, key: str, *, burst: float, rate: float) -> float:
        now = conf.now()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_BUCKETS:
                self.buckets.clear()  # rare: a flood of chats; each starts afresh
            bucket = self.buckets[key] = Bucket(tokens=burst, at=now)
        return bucket.take(burst=burst, rate=rate, now=now)


messages = Limiter()
frames = Limiter()
