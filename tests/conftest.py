from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import LazySettings
from django.db import connections


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.test import override_settings

    # Password hashing is deliberately slow; tests create many users and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite is written in English; the shipped default (Spanish) has tests of its own.
    # Through override_settings, so that gettext forgets the default it loaded at setup.
    override_settings(LANGUAGE_CODE="en").enable()
    # 4xx answers are the point of many tests; keep their log lines out of the output.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    # Two runs in one checkout (a developer's and an editor's, or two terminals) must not
    # share a test database: the second would drop the first's from under it.
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = _run_database_name(test.get("NAME"), settings.DATABASES["default"])
    # Parallel workers share one Redis: each gets a database of its own, or one worker's
    # per-test cache.clear() (FLUSHDB) empties another's rate budget or channel groups.
    if settings.REDIS_URL:
        url = _worker_redis_url(settings.REDIS_URL)
        override_settings(
            CACHES={**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}},
            CHANNEL_LAYERS={
                "default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": [url]}}
            },
        ).enable()


def _run_database_name(name: str | None, database: dict[str, Any]) -> str:
    """The test database's name made this run's own (xdist then adds ``_gw0``, …)."""
    import os

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getpid())
    if database["ENGINE"].endswith("sqlite3"):
        from pathlib import Path

        path = Path(name or Path(database["NAME"]).with_name("test_" + Path(database["NAME"]).name))
        return str(path.with_name(f"{path.stem}-{run}{path.suffix}"))
    return f"{name or 'test_' + database['NAME']}_{run}"


def _worker_redis_url(url: str) -> str:
    """``url`` pointed at a database numbered after the xdist worker (gw0 → base + 1, …)."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + 1 + int(worker[2:])}"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: LazySettings, tmp_path: Any) -> None:
    """Uploaded files and spooled webhooks go to a per-test folder, never into the data
    directory (the spool only where the settings turn it on: the embedded database)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if settings.ATIENDE_CHANNEL_SPOOL is not None:
        settings.ATIENDE_CHANNEL_SPOOL = tmp_path / "channel-spool"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language, whatever the one before activated."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_config_snapshot() -> Iterator[None]:
    """Each test starts without another test's (rolled back) statuses, custom fields,
    remembered ticket total, calendars or SLA policies."""
    from atiende.sla import cache as sla_cache
    from atiende.tickets import config_cache, planning

    config_cache.clear()
    planning.clear()
    sla_cache.clear()
    yield
    config_cache.clear()
    planning.clear()
    sla_cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache, so a full API rate budget: user ids come back
    after a rollback, and the budget counted in the cache would outlive it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run on-commit callbacks (event subscribers) as a real commit would."""

    def capture() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return capture


@pytest.fixture
def published() -> Iterator[list[Any]]:
    """Every domain event published during the test, in order: the real bus, recorded
    through ``core.events.capture_events`` (subscribers still run)."""
    from atiende.core.events import capture_events

    with capture_events() as seen:
        yield seen


@pytest.fixture(autouse=True)
def _events_match_their_declarations() -> Iterator[None]:
    """Every event any test makes our code publish is checked against its declaration in
    ``core.event_types`` (types, source, JSON round trip), as Zulip checks its events.
    Events a test declares for itself (the bus's own tests) are left alone."""
    from atiende.core.event_schema import check_event
    from atiende.core.events import capture_events

    with capture_events() as seen:
        yield
    for event in seen:
        if type(event).__module__.startswith("atiende."):
            check_event(event)


@pytest.fixture
def english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rules() -> Iterator[None]:
    """Each test starts without another test's (rolled back) compiled triggers and time-based
    rules: the rules load at a test's first ticket event, never inside a counted block by
    chance of a cache's age."""
    from atiende.automation.timed import cache as timed_rules
    from atiende.automation.triggers import cache as triggers

    triggers.clear()
    timed_rules.clear()
    yield
    triggers.clear()
    timed_rules.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test databases start without the shipped priority rules at work (issue 14 §9):
    keywords such as "not working" would raise the priority of other tests' tickets, and the
    organizations' "vip" custom field would show in their lists of custom fields. The rules
    are switched off and the field removed; ``tests/automation/test_priority_rules.py`` puts
    both back as an admin would."""
    from atiende.automation.models import Trigger
    from atiende.tickets.models import CustomField

    with django_db_blocker.unblock():
        Trigger.objects.filter(order__lt=0, name__startswith="Priority: ").update(active=False)
        CustomField.objects.filter(target="organization", key="vip").delete()
        # Tests with ``serialized_rollback`` restore the copy taken when the database was
        # created: take it again, or they would bring the rules and the field back.
        for alias in connections:
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None) is not None:
                connection._test_serialized_contents = (  # type: ignore[attr-defined]
                    connection.creation.serialize_db_to_string()
                )
