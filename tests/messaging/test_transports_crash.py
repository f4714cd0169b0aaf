"""The SMTP receiver killed with SIGKILL mid-conversation: nothing answered 250 is lost or doubled.

A real ``atiende manage mail_smtpd`` process on loopback, against this test's database (SQLite
file or PostgreSQL, named through DATABASE_URL as `atiende run` would pass it).
"""

from __future__ import annotations

import hashlib
import os
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from atiende.messaging.models import InboundMessage, InboundMethod, Mailbox
from tests.messaging.mail import build
from tests.messaging.servers import free_port, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ATIENDE = str(Path(sys.executable).with_name("atiende"))
SUPPORT = "support@helpdesk.test"


def database_url() -> str:
    """A DATABASE_URL naming the database this test process uses."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(settings_dict["NAME"]).resolve())
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise RuntimeError("a server database other than SQLite needs DATABASE_URL")
    return urlunsplit(urlsplit(url)._replace(path="/" + str(settings_dict["NAME"])))


class Receiver:
    """``atiende manage mail_smtpd`` as a child process that can be killed outright."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ATIENDE_DATA_DIR": str(directory),
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def start(self) -> None:
        log = (self.directory / "smtpd.log").open("ab")
        self.process = subprocess.Popen(
            [ATIENDE, "manage", "mail_smtpd", "--listen", f"127.0.0.1:{self.port}"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, timeout=60)
        except RuntimeError:
            raise RuntimeError(self.log()) from None

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        path = self.directory / "smtpd.log"
        return path.read_text(errors="replace") if path.exists() else ""


def message(n: int) -> bytes:
    body = f"Message number {n}.\n" + "A long line of text for the body.\n" * 200
    raw = build(to=SUPPORT, subject=f"Crash test {n}", body=body, message_id=f"crash-{n}@x.test")
    return raw.replace(b"\n", b"\r\n")


def send(port: int, raw: bytes) -> None:
    """A complete delivery; returns only after the 250."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.sendmail("ana@customer.test", [SUPPORT], raw)


def open_data(port: int) -> socket.socket:
    """A raw client that is in the DATA phase (354 received)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    reader = sock.makefile("rb")

    def expect(code: bytes) -> None:
        while True:
            line = reader.readline()
            assert line[:3] == code, line
            if line[3:4] != b"-":
                return

    expect(b"220")
    for command, code in (
        (b"EHLO client.test", b"250"),
        (b"MAIL FROM:<ana@customer.test>", b"250"),
        (b"RCPT TO:<" + SUPPORT.encode() + b">", b"250"),
        (b"DATA", b"354"),
    ):
        sock.sendall(command + b"\r\n")
        expect(code)
    return sock


def test_a_receiver_killed_mid_data_loses_and_doubles_nothing(tmp_path: Any) -> None:
    Mailbox.objects.create(address=SUPPORT, inbound_method=InboundMethod.SMTP)
    receiver = Receiver(free_port(), tmp_path)
    receiver.start()
    answered: list[bytes] = []
    raws = {n: message(n) for n in range(1, 6)}
    try:
        for n in (1, 2, 3):
            send(receiver.port, raws[n])
            answered.append(raws[n])

        partial = open_data(receiver.port)  # half of message 4 sent, then the crash
        half = raws[4][: len(raws[4]) // 2]
        partial.sendall(half)
        finished = open_data(receiver.port)  # message 5 complete, but no answer read
        finished.sendall(raws[5] + b".\r\n")
        receiver.kill()
        partial.close()
        finished.close()

        stored = {bytes(r.raw) for r in InboundMessage.objects.all()}
        assert set(answered) <= stored  # every 250 was a committed row
        assert not any(raws[4].startswith(raw) for raw in stored)  # no partial row

        receiver.start()  # restarted, e.g. by `atiende run`'s supervisor
        for n in (4, 5):  # the sending servers retry what got no 250
            send(receiver.port, raws[n])
            answered.append(raws[n])
    finally:
        receiver.stop()

    rows = list(InboundMessage.objects.order_by("pk"))
    digests = [r.sha256 for r in rows]
    assert len(digests) == len(set(digests)) == 5, receiver.log()
    assert sorted(bytes(r.raw) for r in rows) == sorted(answered)
    assert all(r.sha256 == hashlib.sha256(bytes(r.raw)).hexdigest() for r in rows)
