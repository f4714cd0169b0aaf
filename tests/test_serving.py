"""The web and live server command lines and the live port setting (atiende.serving)."""

from __future__ import annotations

import pytest

from atiende.serving import default_web_workers, live_command, live_port_setting, web_command


def test_web_command_serves_the_wsgi_app_with_granian() -> None:
    argv = web_command("0.0.0.0", 8000, workers=3, threads=2)  # noqa: S104
    assert argv[1:5] == ["-m", "granian", "--interface", "wsgi"]
    assert argv[-1] == "atiende.wsgi:application"
    pairs = dict(zip(argv[5::2], argv[6::2], strict=False))
    assert pairs["--port"] == "8000"
    assert pairs["--workers"] == "3"
    assert pairs["--blocking-threads"] == "2"


def test_web_threads_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATIENDE_WEB_THREADS", "3")
    argv = web_command("127.0.0.1", 8000, workers=1)
    assert argv[argv.index("--blocking-threads") + 1] == "3"


def test_live_command_serves_the_asgi_app_with_uvicorn() -> None:
    argv = live_command("127.0.0.1", 8001)
    assert argv[1:4] == ["-m", "uvicorn", "atiende.asgi:application"]
    assert argv[argv.index("--port") + 1] == "8001"


@pytest.mark.parametrize(("value", "port"), [(None, None), ("", None), (" ", None), ("8001", 8001)])
def test_live_port_setting(value: str | None, port: int | None) -> None:
    assert live_port_setting(value) == port


@pytest.mark.parametrize("value", ["eighty", "0", "70000", "-1"])
def test_a_bad_live_port_is_refused_with_the_variable_named(value: str) -> None:
    with pytest.raises(ValueError, match="ATIENDE_LIVE_PORT"):
        live_port_setting(value)


@pytest.mark.parametrize(("cores", "expected"), [(None, 2), (1, 2), (2, 4), (3, 6), (16, 8)])
def test_default_web_workers_are_twice_the_cores_from_2_to_8(
    monkeypatch: pytest.MonkeyPatch, cores: int | None, expected: int
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    assert default_web_workers() == expected
