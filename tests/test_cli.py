"""The ``atiende`` command, in-process for the quick commands and as real processes for ``run``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus

from atiende.accounts.models import Role, User
from atiende.accounts.services import authenticate_token
from atiende.api.tasks import purge_idempotency_keys
from atiende.cli import build_parser, main
from atiende.runner import Child, Supervisor
from tests.factories import make_customer, make_ticket

PYTHON = sys.executable


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.django_db
def test_token_create_prints_only_a_working_token(capsys: pytest.CaptureFixture[str]) -> None:
    user = make_customer(email="dev@example.com")

    assert main(["token", "create", "DEV@example.com", "--name", "ci"]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert authenticate_token(one_line(out)) == user
    assert user.api_tokens.get().name == "ci"


@pytest.mark.django_db
def test_token_for_unknown_email_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "nobody@example.com"]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert "nobody@example.com" in one_line(err)


@pytest.mark.django_db
def test_createadmin_takes_the_password_from_option_or_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["createadmin", "boss@example.com", "--password", "a long pass phrase"]) == 0
    monkeypatch.setenv("ATIENDE_ADMIN_PASSWORD", "another long phrase")
    assert main(["createadmin", "chief@example.com", "--name", "Chief"]) == 0

    boss, chief = (
        User.objects.get(email="boss@example.com"),
        User.objects.get(email="chief@example.com"),
    )
    assert boss.role == chief.role == Role.ADMIN
    assert boss.check_password("a long pass phrase")
    assert chief.check_password("another long phrase")
    assert chief.name == "Chief"
    assert capsys.readouterr().err == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (["createadmin", "boss@example.com"], 1, "ATIENDE_ADMIN_PASSWORD"),
        (["createadmin", "boss@example.com", "--password", "123"], 1, "too short"),
        (["createadmin", "not-an-email", "--password", "a long pass phrase"], 1, "email"),
        (["bogus"], 2, "invalid choice"),
        ([], 2, "required"),
        (["run", "--port", "eighty"], 2, "invalid int value"),
        (["run", "--port", "8000", "--live-port", "8000"], 2, "--live-port must differ"),
        (["run", "--port", "65535"], 2, "65536 is not a port number"),
        (["run", "--port", "0"], 2, "0 is not a port number"),
        (["demo", "--loud"], 2, "unrecognized arguments"),
        (["token"], 2, "required"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    argv: list[str], code: int, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == code

    assert says in one_line(capsys.readouterr().err)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_createadmin_refuses_an_existing_email(capsys: pytest.CaptureFixture[str]) -> None:
    make_customer(email="taken@example.com")

    assert main(["createadmin", "taken@example.com", "--password", "a long pass phrase"]) == 1

    assert "already" in one_line(capsys.readouterr().err)


@pytest.mark.django_db
def test_demo_command_leaves_existing_data_alone(capsys: pytest.CaptureFixture[str]) -> None:
    make_ticket()

    assert main(["demo"]) == 0

    assert "already has users" in capsys.readouterr().out
    assert not User.objects.filter(role=Role.ADMIN).exists()


def test_run_loads_the_demo_only_when_asked() -> None:
    assert build_parser().parse_args(["run"]).demo is False
    assert build_parser().parse_args(["run", "--demo"]).demo is True


@pytest.mark.django_db
def test_manage_passes_through_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manage", "showmigrations", "accounts"]) == 0

    assert "0001_initial" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_queued_tasks() -> None:
    result = purge_idempotency_keys.enqueue()

    assert main(["worker", "--batch", "--no-startup-delay"]) == 0

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_supervisor_stops_everyone_when_one_child_dies(tmp_path: Path) -> None:
    sleeper = Child("sleeper", [PYTHON, "-c", "import time; time.sleep(60)"])
    crasher = Child("crasher", [PYTHON, "-c", "import time, sys; time.sleep(0.5); sys.exit(3)"])
    lines: list[str] = []

    assert Supervisor([sleeper, crasher], grace=5, log=lines.append).run() == 1

    assert sleeper.process is not None
    assert sleeper.process.returncode == -signal.SIGTERM
    assert "crasher" in lines[0]


def test_supervisor_lets_a_may_finish_child_end_cleanly() -> None:
    sleeper = Child("sleeper", [PYTHON, "-c", "import time; time.sleep(60)"])
    done = Child("done", [PYTHON, "-c", "pass"], may_finish=True)
    failed = Child("failed", [PYTHON, "-c", "import time, sys; time.sleep(1.5); sys.exit(1)"])
    lines: list[str] = []

    assert Supervisor([sleeper, done, failed], grace=5, log=lines.append).run() == 1

    assert done.finished
    assert ["done" in lines[0], "failed" in lines[1]] == [True, True]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 2) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def socket_close_code(port: int, *, origin: str) -> int | None:
    """The close code a WebSocket to ``/ws/`` on ``port`` ends with; ``None`` if the server
    refused the upgrade itself."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(f"ws://127.0.0.1:{port}/ws/", origin=origin, open_timeout=10) as ws:  # type: ignore[arg-type]  # an Origin string
            ws.recv(timeout=10)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except InvalidStatus:
        return None
    raise AssertionError("the socket stayed open")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_run_serves_the_app_and_stops_all_children(tmp_path: Path) -> None:
    port, live_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("ATIENDE_LIVE_PORT", None)
    env.update(ATIENDE_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log = (tmp_path / "run.log").open("wb")
    argv = [PYTHON, "-m", "atiende.cli", "run", "--port", str(port)]
    argv += ["--live-port", str(live_port), "--workers", "2"]
    run = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while get(f"{base}/accounts/login/") != 200:
            assert run.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.3)
        # The first schema request builds it (a few seconds on a busy machine).
        assert get(f"{base}/api/v1/openapi.json", timeout=30) == 200
        assert get(f"{base}/static/web/atiende.css") == 200
        # The live server answers WebSockets on its own port (an anonymous socket is refused
        # by the app, which shows Channels is behind it); the web server does not speak them.
        assert socket_close_code(live_port, origin=base) == 4401
        assert socket_close_code(port, origin=base) is None
        children = descendants(run.pid)
        assert len(children) >= 6  # web (+2 workers), live, worker, scheduler
    finally:
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=30)
        log.close()

    assert code == 0, (tmp_path / "run.log").read_text()
    assert not [pid for pid in children if alive(pid)]
    output = (tmp_path / "run.log").read_text()
    assert f"http://127.0.0.1:{port}/" in output
