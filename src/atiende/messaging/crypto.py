"""Secrets at rest (mailbox passwords), encrypted with a key of their own, never SECRET_KEY.

The keys are Fernet keys, newest first: the first encrypts, all decrypt, so a rotation
(``atiende keys rotate``, `messaging.key_rotation`) can re-encrypt every stored secret while
the old key is still accepted. They come from ``ATIENDE_ENCRYPTION_KEY`` (comma-separated) or,
unset, from ``<data dir>/encryption_keys`` (one a line, mode 0600), generated at first use.
Secrets written before the keys were separate (with a key derived from ``SECRET_KEY``) are
still read; a rotation re-encrypts them.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from atiende.core.config import read_or_create_secret

ENV_VAR = "ATIENDE_ENCRYPTION_KEY"
KEY_FILE = "encryption_keys"


class SecretUnreadable(ValueError):
    """A stored secret cannot be decrypted with the configured keys (rotated away?)."""


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def from_environment() -> bool:
    """True when the keys are configured in ``ATIENDE_ENCRYPTION_KEY``, not kept in a file."""
    return bool(os.environ.get(ENV_VAR, "").strip())


def configured_keys() -> list[str]:
    """The keys, newest first (the key file is created with one new key when absent)."""
    if from_environment():
        return [k.strip() for k in os.environ[ENV_VAR].split(",") if k.strip()]
    read_or_create_secret(key_file(), new_key)
    return _keys_in_file(key_file())


def new_key() -> str:
    return Fernet.generate_key().decode()


def _keys_in_file(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def _fernet() -> MultiFernet:
    """The keys as they are now: a rotation in another process is seen at the next call."""
    if from_environment():
        return _build(tuple(configured_keys()), settings.SECRET_KEY)
    configured_keys()  # creates the file at first use
    stamp = key_file().stat()
    return _cached_file_keys(str(key_file()), (stamp.st_ino, stamp.st_mtime_ns, stamp.st_size))


@cache
def _cached_file_keys(path: str, version: tuple[int, int, int]) -> MultiFernet:
    """The file's keys, read again whenever the file was replaced (a new inode) or changed."""
    return _build(tuple(_keys_in_file(Path(path))), settings.SECRET_KEY)


@cache
def _build(keys: tuple[str, ...], legacy_secret: str) -> MultiFernet:
    if not keys:
        raise SecretUnreadable(f"no encryption key is configured ({ENV_VAR} or {KEY_FILE})")
    legacy = hashlib.sha256(b"atiende-secrets:" + legacy_secret.encode()).digest()
    fernets = [Fernet(key.encode()) for key in keys]
    return MultiFernet([*fernets, Fernet(base64.urlsafe_b64encode(legacy))])


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


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the newest key (empty stays empty)."""
    if not token:
        return ""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(token[:8]) from exc
