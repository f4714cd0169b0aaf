"""Helpers that turn environment variables into settings values."""

from __future__ import annotations

import os
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


def env_list(name: str, *, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


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

    The hot write path's key lookups and inserts (``core.rows.cursor``) are bound by the
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
