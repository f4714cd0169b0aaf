"""Personal API tokens: random, shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

PREFIX = "atd_"
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe, fast lookup key."""
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def display_prefix(token: str) -> str:
    return token[: len(PREFIX) + 6]


def needs_touch(last_used_at: object) -> bool:
    return last_used_at is None or timezone.now() - last_used_at > TOUCH_EVERY  # type: ignore[operator]  # datetime
