"""Settings helpers: outgoing email configuration from one URL."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from atiende.core.config import (
    PREPARE_THRESHOLD,
    SECRET_KEY_FILE,
    login_rate_per_ip,
    mailers,
    postgres_options,
    proxy_ssl_header,
    read_or_create_secret,
    secret_key,
)


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


def _settings_secret_key(data_dir: Path, **env: str) -> str:
    """Start Django's settings in a fresh process, as a real start does, and read its key."""
    clean = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    clean.update({"ATIENDE_DATA_DIR": str(data_dir), "DEBUG": "false", **env})
    code = "from atiende import settings; print(settings.SECRET_KEY)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_first_start_without_a_secret_key_generates_one_kept_0600_and_reused(
    tmp_path: Path,
) -> None:
    first = _settings_secret_key(tmp_path)

    kept = tmp_path / SECRET_KEY_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text().strip() == first
    assert len(first) >= 50
    assert _settings_secret_key(tmp_path) == first
    other = tmp_path / "other"
    assert _settings_secret_key(other) != first  # per installation, never a constant


def test_a_configured_secret_key_wins_and_writes_no_file(tmp_path: Path) -> None:
    assert secret_key("  from-the-environment ", tmp_path) == "from-the-environment"
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_processes_racing_to_create_the_key_all_get_the_winners(tmp_path: Path) -> None:
    calls: list[str] = []

    def make() -> str:
        # Another process finishes creating the file while this one writes its own.
        if not calls:
            calls.append("nested")
            assert read_or_create_secret(tmp_path / "key", lambda: "winner") == "winner"
        return "loser"

    assert read_or_create_secret(tmp_path / "key", make) == "winner"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key"]  # nothing left aside


def test_an_empty_key_file_is_a_clear_error_not_an_empty_key(tmp_path: Path) -> None:
    (tmp_path / SECRET_KEY_FILE).write_text("\n")
    with pytest.raises(ValueError, match="is empty"):
        secret_key("", tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("X-Forwarded-Proto=https", ("HTTP_X_FORWARDED_PROTO", "https"))],
)
def test_the_proxy_ssl_header_is_read_from_one_variable(
    value: str, expected: tuple[str, str] | None
) -> None:
    assert proxy_ssl_header(value) == expected


@pytest.mark.parametrize("value", ["X-Forwarded-Proto", "=https", "X-Forwarded-Proto="])
def test_a_malformed_proxy_ssl_header_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="X-Forwarded-Proto=https"):
        proxy_ssl_header(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", "30/m/ip"), ("200/m", "200/m/ip"), (" 600/5M ", "600/5m/ip"), ("off", "")],
)
def test_the_login_rate_per_address_takes_a_rate_or_off(value: str, expected: str) -> None:
    assert login_rate_per_ip(value) == expected


@pytest.mark.parametrize("value", ["30", "0/m", "30/m/ip", "30/week", "many"])
def test_a_malformed_login_rate_stops_the_start(value: str) -> None:
    with pytest.raises(ValueError, match="ATIENDE_LOGIN_RATE_PER_IP must be"):
        login_rate_per_ip(value)


def _login_rates(data_dir: Path, **env: str) -> list[str]:
    """allauth's sign-in limits as a fresh process, started with ``env``, reads them."""
    clean = {k: v for k, v in os.environ.items() if k != "ATIENDE_LOGIN_RATE_PER_IP"}
    clean.update({"ATIENDE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "atiende.settings"})
    code = (
        "import django; django.setup(); from allauth.account import app_settings as a; "
        "print(a.RATE_LIMITS['login']); print(a.RATE_LIMITS['login_failed'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout.split()


def test_the_login_rate_per_address_is_read_from_the_environment(tmp_path: Path) -> None:
    assert _login_rates(tmp_path) == ["30/m/ip", "20/15m/ip,5/15m/key"]
    raised = _login_rates(tmp_path, ATIENDE_LOGIN_RATE_PER_IP="300/m")
    assert raised == ["300/m/ip", "20/15m/ip,5/15m/key"]  # the per-account limit stays
