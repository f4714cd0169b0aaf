"""Secrets at rest (mailbox passwords), encrypted with a key from the environment.

`ATIENDE_ENCRYPTION_KEY` holds one or more Fernet keys separated by commas: the first
encrypts, all decrypt, so keys can be rotated without a migration. Without it, a key is
derived from `SECRET_KEY` so the embedded default works out of the box; production sets its
own (see docs/deployment.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

ENV_VAR = "ATIENDE_ENCRYPTION_KEY"


class SecretUnreadable(ValueError):
    """A stored secret cannot be decrypted with the configured keys (rotated away?)."""


@cache
def _fernet() -> MultiFernet:
    configured = [k.strip() for k in os.environ.get(ENV_VAR, "").split(",") if k.strip()]
    if not configured:
        digest = hashlib.sha256(b"atiende-secrets:" + settings.SECRET_KEY.encode()).digest()
        configured = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key.encode()) for key in configured])


def encrypt(plain: str) -> str:
    """The token to store for ``plain``; the empty string stays empty."""
    if not plain:
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The secret behind a stored token; raises `SecretUnreadable` when no key fits."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(token[:8]) from exc
