"""Settings helpers: outgoing email configuration from one URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from atiende.core.config import PREPARE_THRESHOLD, mailers, postgres_options


def test_without_a_url_email_is_written_to_files(tmp_path: Path) -> None:
    config = mailers("", tmp_path / "mail")["default"]
    assert config["BACKEND"].endswith("filebased.EmailBackend")
    assert config["OPTIONS"] == {"file_path": str(tmp_path / "mail")}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://ana%40example.com:s%3Acret@mail.example.com",
            {"host": "mail.example.com", "port": 587, "use_tls": True,
             "username": "ana@example.com", "password": "s:cret", "timeout": 30},
        ),
        ("smtps://mail.example.com",
         {"host": "mail.example.com", "port": 465, "use_ssl": True, "timeout": 30}),
        ("smtp+plain://127.0.0.1:2525", {"host": "127.0.0.1", "port": 2525, "timeout": 30}),
    ],
)  # fmt: skip
def test_smtp_urls(url: str, expected: dict[str, object], tmp_path: Path) -> None:
    config = mailers(url, tmp_path)["default"]
    assert config["BACKEND"].endswith("smtp.EmailBackend")
    assert config["OPTIONS"] == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com"])
def test_a_bad_url_is_refused_with_the_expected_shape(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="smtp://user:password@host:587"):
        mailers(url, tmp_path)


def test_postgres_sessions_plan_joins_in_written_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert postgres_options({})["options"] == "-c join_collapse_limit=1"
    given = {"options": "-c statement_timeout=5000", "sslmode": "require"}
    merged = postgres_options(given)
    assert merged["options"] == "-c statement_timeout=5000 -c join_collapse_limit=1"
    assert merged["sslmode"] == "require" and given["options"] == "-c statement_timeout=5000"
    monkeypatch.setenv("ATIENDE_PG_JOIN_COLLAPSE_LIMIT", "8")
    assert postgres_options({})["options"] == "-c join_collapse_limit=8"


def test_postgres_statements_are_prepared_unless_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert postgres_options({})["prepare_threshold"] == PREPARE_THRESHOLD
    assert postgres_options({"prepare_threshold": None})["prepare_threshold"] is None
    monkeypatch.setenv("ATIENDE_PG_PREPARED", "false")
    assert "prepare_threshold" not in postgres_options({})


@pytest.mark.django_db
def test_the_setting_reaches_the_postgresql_session() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL session setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        assert cursor.fetchone() == ("1",)


@pytest.mark.django_db
def test_key_lookups_of_the_write_path_are_prepared_and_the_orms_statements_not() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL session setting")
    from atiende.core import rows
    from atiende.tickets.models import Priority, Status

    for _ in range(PREPARE_THRESHOLD + 1):
        assert rows.first(Status, key="not-a-status") is None
        assert Priority.objects.filter(key="not-a-priority").first() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(row[0] for row in cursor.fetchall())
    assert '"tickets_status"' in prepared
    assert '"tickets_priority"' not in prepared
