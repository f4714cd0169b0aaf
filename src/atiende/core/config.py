"""Helpers that turn environment variables into settings values."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
# A statement run this many times on one PostgreSQL connection is prepared there (psycopg).
PREPARE_THRESHOLD = 2


def env_bool(name: str, *, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def env_int(name: str, *, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdecimal():
        raise ValueError(f"{name} must be a whole number of 0 or more, not {value!r}")
    return int(value)


LOGIN_RATE = re.compile(r"[1-9][0-9]*/[0-9]*[smhd]")


def login_rate_per_ip(value: str) -> str:
    """allauth's limit on sign-in attempts from one network address, from
    ``ATIENDE_LOGIN_RATE_PER_IP``: ``30/m`` (the default), ``300/5m``, ``2000/h``, or ``off``.
    An office behind one NAT address shares it, so a large team may need it raised; the
    limit of failed sign-ins per account does not depend on it. A malformed value stops the
    start, not the first sign-in."""
    value = value.strip().lower() or "30/m"
    if value == "off":
        return ""
    if not LOGIN_RATE.fullmatch(value):
        raise ValueError(
            f"ATIENDE_LOGIN_RATE_PER_IP must be attempts/period (30/m, 300/5m, 2000/h) or off, "
            f"not {value!r}"
        )
    return f"{value}/ip"


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``SECURE_PROXY_SSL_HEADER`` from ``Header-Name=value`` (e.g. ``X-Forwarded-Proto=https``).

    Set it only behind a proxy that always sets (or strips) that header: otherwise a client
    could claim HTTPS by sending it.
    """
    value = value.strip()
    if not value:
        return None
    name, sep, expected = value.partition("=")
    name, expected = name.strip(), expected.strip()
    if not sep or not name or not expected:
        raise ValueError(
            f"SECURE_PROXY_SSL_HEADER must look like X-Forwarded-Proto=https, not {value!r}"
        )
    return "HTTP_" + name.upper().replace("-", "_"), expected


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY_FILE = "secret_key"  # noqa: S105  # a file name, not a secret


def secret_key(configured: str, data_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, or the installation's own, kept in the data directory.

    There is no built-in key: a key everyone knows lets anyone forge sessions and password-reset
    links. The first start writes a random key to ``<data dir>/secret_key`` (mode 0600); every
    later start, and every process of the installation, reads the same file.
    """
    if configured.strip():
        return configured.strip()
    return read_or_create_secret(data_dir / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(50))


def read_or_create_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path``, written first (0600, whole or not at all) when absent.

    Processes starting together may race to create it: the file appears atomically (written
    aside, then hard-linked into place, which fails if another process won), so every process
    ends up with the winner's secret, never half a file.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(make() + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use theirs
            os.link(aside, path)
    finally:
        os.unlink(aside)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    value = path.read_text().strip()
    if not value:
        raise ValueError(f"{path} is empty: delete it to generate a new secret, or restore it")
    return value


def sqlite_database(path: Path) -> dict[str, Any]:
    """SQLite tuned for a helpdesk: WAL for concurrent readers, FULL sync for durability.

    ``synchronous=FULL`` makes a committed write survive a power loss, not only a crash of the
    process. IMMEDIATE transactions take the write lock up front so concurrent writers queue on
    the busy timeout instead of failing with "database is locked" half-way through.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Reuse connections across requests: opening one costs the PRAGMAs, Django's function
        # registrations and SQLite's schema parse, about a third of a small request.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
                "PRAGMA cache_size=-64000;"
                "PRAGMA temp_store=MEMORY;"
            ),
        },
        # A file, not memory: concurrency tests need real locking across threads.
        "TEST": {"NAME": str(path.with_name("test_" + path.name))},
    }


def postgres_options(options: dict[str, Any]) -> dict[str, Any]:
    """PostgreSQL session settings: joins planned in the order the ORM writes them.

    The ticket list and the ticket page join a ticket to its requester, organization, group,
    assignee and category. PostgreSQL spent 2.5-4.5 ms *planning* that query (reordering six
    relations, most of them outer joins) to execute it in 0.3 ms; in written order, which is
    the right one for these queries (the ticket first, then lookups by primary key), planning
    takes 0.5 ms. ``ATIENDE_PG_JOIN_COLLAPSE_LIMIT`` overrides the value (8 is PostgreSQL's
    default); behind PgBouncer, add ``options`` to its ``ignore_startup_parameters``.

    The hot write path's key lookups and inserts (the stores' prepared cursor) are bound by the
    server, and one run twice on a connection is prepared there (psycopg's
    ``prepare_threshold``; the ORM's cursors bind on the client and never prepare): PostgreSQL
    parses and plans them once per connection, and a ticket create cost 1.2 ms of its CPU
    instead of 1.8 ms (docs/performance.md). ``ATIENDE_PG_PREPARED=false`` turns this off, for a
    pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21, or
    without ``max_prepared_statements``).
    """
    limit = int(os.environ.get("ATIENDE_PG_JOIN_COLLAPSE_LIMIT", "1"))
    merged = dict(options)
    extra = merged.get("options", "")
    merged["options"] = f"{extra} -c join_collapse_limit={limit}".strip()
    if env_bool("ATIENDE_PG_PREPARED", default=True):
        merged.setdefault("prepare_threshold", PREPARE_THRESHOLD)
    return merged


def mailers(smtp_url: str, mail_dir: Path) -> dict[str, Any]:
    """Django's ``MAILERS``: SMTP when ``smtp_url`` is set, else files under ``mail_dir``.

    ``smtp://user:password@host:587`` sends with STARTTLS, ``smtps://…:465`` over TLS, and
    ``smtp+plain://host:25`` in the clear (a relay on the same machine). Without a URL the
    embedded default writes every outgoing email to a file, so nothing is lost or retried
    against a server that is not there.
    """
    if not smtp_url:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(mail_dir)},
            }
        }
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps", "smtp+plain") or not url.hostname:
        raise ValueError("ATIENDE_SMTP_URL must look like smtp://user:password@host:587")
    secure = {"smtp": "use_tls", "smtps": "use_ssl"}.get(url.scheme)
    options: dict[str, Any] = {
        "host": url.hostname,
        "port": url.port or {"smtp": 587, "smtps": 465}.get(url.scheme, 25),
        "timeout": 30,
    }
    if secure:
        options[secure] = True
    if url.username:
        options["username"] = unquote(url.username)
        options["password"] = unquote(url.password or "")
    return {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
    }
