"""Browser tests: the real servers of ``atiende run`` and Debian's chromium, driven by Playwright.

How it fits together (docs/dev/testing.md has the long version):

- ``app_server`` (once per test session, on the xdist worker that runs the e2e group) starts
  the two servers of ``atiende run`` on free ports of 127.0.0.1: granian for HTTP through
  Django's WSGI handler, uvicorn for the live socket (Channels), whose port the pages name
  (``ATIENDE_LIVE_PORT``), so every realtime test crosses ports as deployed. They open the *test*
  database of this worker (SQLite file or PostgreSQL database), so tests must commit their
  data: every e2e test uses ``transactional_db``.
- Playwright's sync API keeps an event loop running in this thread while it is started, which
  would break Django's ORM checks and asyncio tests of other areas. So the browser starts with
  the first e2e test and stops after the last one of the run (``pytest_runtest_teardown``).
- Chromium is ``/usr/bin/chromium`` (``ATIENDE_CHROMIUM`` overrides it), installed by
  ``scripts/ensure-chromium``. Missing, the tests skip with the reason; under ``CI=true`` they
  fail instead.
- ``screenshot(page, name)`` writes ``artifacts/screenshots/<lang>-<name>-<desktop|phone>.png``;
  a failing test saves ``FAILED-<test>`` screenshots of its open pages the same way.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

    from atiende.accounts.models import User

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = Path(os.environ.get("ATIENDE_ARTIFACTS_DIR", REPO / "artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("ATIENDE_CHROMIUM", "/usr/bin/chromium")
# The flags that work in containers and keep chromium off the network (STACK-NOTES).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)
# Pixels per CSS pixel on the phone: 1 keeps full-page screenshots cheap (a long page at 2 costs
# three times as much); ATIENDE_E2E_PHONE_SCALE=3 gives a real phone's sharpness.
PHONE_SCALE = float(os.environ.get("ATIENDE_E2E_PHONE_SCALE", "1"))
# Fail fast: a page of this app answers in milliseconds; 10 s means something is wrong.
TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT = 30.0

_FAILED = pytest.StashKey[bool]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _is_e2e(item: pytest.Item | None) -> bool:
    return item is not None and Path(str(item.path)).resolve().is_relative_to(HERE)


# --- the browser: started lazily, stopped after the last e2e test ------------------------------


class _Browsers:
    """One chromium for the run, alive only while e2e tests run (see the module docstring)."""

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None
        self._async_unsafe: str | None = None

    def get(self) -> Browser:
        if self.browser is not None:
            return self.browser
        if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
            reason = (
                f"browser tests need {CHROMIUM}, which is missing: run scripts/ensure-chromium "
                "(as root it installs Debian's chromium) or set ATIENDE_CHROMIUM"
            )
            if in_ci():
                pytest.fail(f"{reason}. CI=true: the browser tests must run.", pytrace=False)
            pytest.skip(reason)
        from django.db import connections
        from playwright.sync_api import sync_playwright

        # Playwright's loop now looks "running" to Django, though the test's ORM calls are
        # still plain synchronous code in this thread. So: no async-safety check, and the
        # same connection objects as before (Django keeps separate ones "in async code", which
        # would lose the test database set-up, such as serialized_rollback's contents).
        self._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        sync_connections = {alias: connections[alias] for alias in connections}
        self.playwright = sync_playwright().start()
        for alias, connection in sync_connections.items():
            setattr(connections._connections, alias, connection)
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Exception:
            self.stop()
            raise
        return self.browser

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()
            if self._async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._async_unsafe
        self.browser = None
        self.playwright = None


_BROWSERS = _Browsers()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    try:
        return (yield)
    finally:
        if not _is_e2e(nextitem):
            _BROWSERS.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _BROWSERS.stop()


@pytest.fixture
def browser() -> Browser:
    """Debian's chromium (skips, or fails under CI=true, when it is missing)."""
    return _BROWSERS.get()


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    """The two servers of ``atiende run``: granian for HTTP at ``url``, uvicorn for /ws/."""

    url: str
    processes: list[subprocess.Popen[bytes]]
    log: Path
    data_dir: Path | None = None

    def mails_to(self, address: str) -> list[str]:
        """The mails the server wrote (its file mail backend) to ``address``, oldest first."""
        if self.data_dir is None:
            return []
        folder = self.data_dir / "mail"
        files = (
            sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime_ns)
            if folder.exists()
            else []
        )
        mails: list[str] = []
        for file in files:
            for raw in file.read_bytes().split(b"-" * 79):
                message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
                if message["To"] == address:
                    body = message.get_body(preferencelist=("plain",))
                    mails.append(body.get_content() if body is not None else "")
        return mails

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _test_database_url(settings_dict: dict[str, Any]) -> str:
    """A DATABASE_URL naming the test database this worker created."""
    name = str(settings_dict["NAME"])
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite:///" + str(Path(name).resolve())  # sqlite:////abs/path
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise RuntimeError("a server database other than SQLite needs DATABASE_URL")
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _wait_until_up(server: Server, url: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        for process in server.processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"an e2e server exited with {process.returncode}:\n{server.log_tail()}"
                )
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except urllib.error.HTTPError as error:
            if error.code >= 500:  # up, but broken: no point in waiting
                time.sleep(0.5)  # let the traceback reach the log
                raise RuntimeError(
                    f"the e2e server answers /login/ with {error.code}:\n{server.log_tail()}"
                ) from None
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"the e2e server did not answer in {SERVER_START_TIMEOUT} s:\n{server.log_tail()}"
    )


@pytest.fixture(scope="session")
def app_server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The web and live servers of ``atiende run`` (``atiende.serving``) on two free ports,
    against this worker's test database: pages open their socket on the live port, as
    deployed embedded."""
    from django.conf import settings
    from django.db import connection

    from atiende.messaging import crypto
    from atiende.serving import live_command, web_command

    port, live_port = _free_port(), _free_port()
    data_dir = tmp_path_factory.mktemp("e2e-server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.server_settings",
        "DATABASE_URL": _test_database_url(connection.settings_dict),
        # Media and static roots of its own; the database is named by DATABASE_URL.
        "ATIENDE_DATA_DIR": str(data_dir),
        "ATIENDE_LIVE_PORT": str(live_port),
        # The test process's keys: what it signs or encrypts, the server reads.
        "SECRET_KEY": settings.SECRET_KEY,
        "ATIENDE_ENCRYPTION_KEY": ",".join(crypto.configured_keys()),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p
        ),
        # What the worker of `atiende run` would do later happens at once.
        "ATIENDE_TASKS_IMMEDIATE": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log_path = ARTIFACTS / f"e2e-server-{worker}.log"
    commands = [
        web_command("127.0.0.1", port, workers=1, threads=4),
        live_command("127.0.0.1", live_port),
    ]
    with log_path.open("wb") as log:
        processes = [
            subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            for command in commands
        ]
    server = Server(
        url=f"http://127.0.0.1:{port}", processes=processes, log=log_path, data_dir=data_dir
    )
    try:
        _wait_until_up(server, server.url)
        _wait_until_up(server, f"http://127.0.0.1:{live_port}")
        yield server
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # Close this process's own connections too before the test database goes away.
        connection.close()


# --- pages ----------------------------------------------------------------------------------


_PAGE_ERRORS: dict[int, list[str]] = {}
_CONSOLE: dict[int, list[str]] = {}  # console errors and warnings, printed when a test fails


def js_errors(page: Page) -> list[str]:
    """Uncaught JavaScript errors the page has raised so far."""
    return _PAGE_ERRORS.get(id(page), [])


def kind_of(page: Page) -> str:
    size = page.viewport_size
    return "phone" if size is not None and size["width"] < 600 else "desktop"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def save_screenshot(page: Page, name: str) -> Path:
    lang = page.locator("html").get_attribute("lang", timeout=2_000) or "xx"
    path = SCREENSHOTS / f"{_slug(lang)}-{_slug(name)}-{kind_of(page)}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # From the top: scrolled, a full-page shot draws the sticky top bar mid-page.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@pytest.fixture
def new_page(
    browser: Browser, app_server: Server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """``new_page(phone=False, locale="en-US", color_scheme="light")``: a page in a fresh
    browser context."""
    from playwright.sync_api import expect

    opened: list[Any] = []

    def make(*, phone: bool = False, locale: str = "en-US", color_scheme: str = "light") -> Page:
        options: dict[str, Any] = {
            "base_url": app_server.url,
            "locale": locale,
            "viewport": PHONE if phone else DESKTOP,
            "color_scheme": color_scheme,
        }
        if phone:
            options.update(
                is_mobile=True,
                has_touch=True,
                user_agent=PHONE_UA,
                device_scale_factor=PHONE_SCALE,
            )
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        # Assertions wait as long as actions: under a loaded CI machine a sign-in or a live
        # update can take more than expect's own 5 s default.
        expect.set_options(timeout=TIMEOUT_MS)
        page = context.new_page()
        errors = _PAGE_ERRORS.setdefault(id(page), [])
        page.on("pageerror", lambda error: errors.append(str(error)))
        console = _CONSOLE.setdefault(id(page), [])
        page.on(
            "console",
            lambda message: (
                console.append(f"{message.type}: {message.text}")
                if message.type in ("error", "warning")
                else None
            ),
        )
        opened.append((context, page))
        return page

    yield make
    # The Content-Security-Policy holds in the browser: nothing the pages use was refused.
    refused = [
        line
        for _context, page in opened
        for line in _CONSOLE.get(id(page), [])
        if "Content Security Policy" in line
    ]
    failed = request.node.stash.get(_FAILED, False)
    for context, page in opened:
        if failed and not page.is_closed():
            try:
                path = save_screenshot(page, f"FAILED-{request.node.name}")
                print(f"\nscreenshot of the failure: {path}")
            except Exception as error:  # the failure itself matters more
                print(f"\nno screenshot of the failure: {error}")
            print(f"page: {page.url}")
            for line in _CONSOLE.get(id(page), []):
                print(f"console {line}")
        _PAGE_ERRORS.pop(id(page), None)
        _CONSOLE.pop(id(page), None)
        context.close()
    until_the_server_is_idle()
    if refused:
        pytest.fail("the page broke its Content-Security-Policy:\n" + "\n".join(refused))


IDLE_LOOKS = 6  # 0.3 s without a query of the server's


def until_the_server_is_idle(timeout: float = 15.0) -> None:
    """Wait until the app server has finished what the closed pages asked (PostgreSQL).

    A request still running when the test database is flushed holds row locks that the flush's
    TRUNCATE waits for while the request waits for a table the TRUNCATE already locked: a
    deadlock that kills the flush. Pages load panels lazily, so a test can end mid-request.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite: the server's writes and the flush take turns on the one lock
    busy = (
        "SELECT pid, state, left(query, 200) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'"
    )
    deadline = time.monotonic() + timeout
    quiet = 0  # idle several looks in a row: a request the browser sent as it closed, or the
    # worker's next task, may start just after one idle look (it deadlocked a flush once)
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(busy)
            quiet = 0 if cursor.fetchall() else quiet + 1
            if quiet == IDLE_LOOKS:
                return
            time.sleep(0.05)
        # Still busy: the test is over and its pages are closed, so whatever the server is
        # doing for them is ended rather than left to deadlock the flush. Named, to be found.
        cursor.execute(busy)
        for pid, state, query in cursor.fetchall():
            print(f"\nending a server query still {state} after the test: {query}")
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop page (1280x800), English."""
    return new_page()


@pytest.fixture
def phone_page(new_page: Callable[..., Page]) -> Page:
    """A phone page (390x844, mobile user agent, touch), English."""
    return new_page(phone=True)


@pytest.fixture
def signed_in() -> Callable[..., Page]:
    """``signed_in(page, user)``: sign in through the real form at /accounts/login/."""
    from playwright.sync_api import expect

    def sign_in(page: Page, user: User, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        form = page.locator('form[action="/accounts/login/"]')
        form.locator('input[name="login"]').fill(user.email)
        form.locator('input[name="password"]').fill(password)
        form.locator('button[type="submit"]').click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    return sign_in


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, name)`` → artifacts/screenshots/<lang>-<name>-<desktop|phone>.png."""
    return save_screenshot
