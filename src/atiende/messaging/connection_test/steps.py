"""The steps of a connection test and the shared ones: connect, TLS, reading the password."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from atiende.messaging.crypto import SecretUnreadable
from atiende.messaging.transports.tls import client_context

TIMEOUT = 5.0
REPLY_CHARS = 200


@dataclass(frozen=True)
class Step:
    """One step: ``name`` is stable (``imap.dns``, ``smtp.login``…), ``message`` is for people."""

    name: str
    ok: bool
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "message": self.message}


@dataclass
class ConnectionReport:
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    @property
    def failed(self) -> Step | None:
        return next((step for step in self.steps if not step.ok), None)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "steps": [step.as_dict() for step in self.steps]}


class StepFailed(Exception):
    """The current step failed; the report already says why."""


class Recorder:
    def __init__(self, report: ConnectionReport, prefix: str) -> None:
        self.report = report
        self.prefix = prefix

    def ok(self, name: str, message: str) -> None:
        self.report.steps.append(Step(f"{self.prefix}.{name}", True, message))

    def fail(self, name: str, message: str) -> StepFailed:
        self.report.steps.append(Step(f"{self.prefix}.{name}", False, message))
        return StepFailed(message)


def reply_text(value: Any) -> str:
    """A server's reply (bytes, str or a list of them) as one short line."""
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = " ".join(str(value).split())
    return text[:REPLY_CHARS] + ("…" if len(text) > REPLY_CHARS else "")


def tls_context() -> ssl.SSLContext:
    """The same trust as the mail transports: system authorities plus
    ``ATIENDE_MAIL_CA_FILE`` when set."""
    return client_context()


def tls_error(host: str, error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return _(
            "The server's certificate is not trusted: %(reason)s. Use a certificate from a "
            "public authority for %(host)s, or the host name it was issued for."
        ) % {"reason": error.verify_message or error.reason or str(error), "host": host}
    reason = error.reason or str(error)
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
        return _(
            "The TLS handshake failed: the server does not speak TLS on this port (%(reason)s). "
            "Try STARTTLS, or the port for TLS."
        ) % {"reason": reason}
    return _("The TLS handshake failed: %(reason)s.") % {"reason": reason}


def connect(rec: Recorder, host: str, port: int, timeout: float) -> socket.socket:
    """Resolve ``host`` and open a TCP connection, recording both steps."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise rec.fail(
            "dns",
            _("The host name %(host)s could not be found (DNS lookup failed: %(reason)s).")
            % {"host": host, "reason": getattr(error, "strerror", None) or error},
        ) from None
    shown = ", ".join(sorted({str(a[4][0]) for a in addresses})[:4])
    rec.ok("dns", _("%(host)s is at %(addresses)s.") % {"host": host, "addresses": shown})

    last: OSError | None = None
    for family, kind, proto, _canon, address in addresses:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as error:
            sock.close()
            last = error
            continue
        rec.ok(
            "connect",
            _("Connected to %(host)s port %(port)d.") % {"host": host, "port": port},
        )
        return sock
    if isinstance(last, ConnectionRefusedError):
        message = _(
            "The connection to %(host)s port %(port)d was refused: nothing is listening there. "
            "Check the port and that the server is running."
        )
    elif isinstance(last, TimeoutError | socket.timeout):
        message = _(
            "No answer from %(host)s port %(port)d within %(seconds)d seconds: a firewall may "
            "be dropping the connection, or the port is wrong."
        )
    else:
        message = _("Could not connect to %(host)s port %(port)d: %(reason)s.")
    raise rec.fail(
        "connect",
        message
        % {
            "host": host,
            "port": port,
            "seconds": int(timeout),
            "reason": getattr(last, "strerror", None) or last,
        },
    )


def wrap_tls(rec: Recorder, sock: socket.socket, host: str) -> ssl.SSLSocket:
    try:
        wrapped = tls_context().wrap_socket(sock, server_hostname=host.strip("[]"))
    except ssl.SSLError as error:
        sock.close()
        raise rec.fail("tls", tls_error(host, error)) from None
    except (TimeoutError, OSError) as error:
        sock.close()
        raise rec.fail(
            "tls",
            _("The TLS handshake did not complete: %(reason)s.")
            % {"reason": getattr(error, "strerror", None) or error or _("no answer")},
        ) from None
    rec.ok(
        "tls",
        _("TLS is set up (%(version)s); the certificate is valid.")
        % {"version": wrapped.version() or "TLS"},
    )
    return wrapped


def read_password(rec: Recorder, read: Callable[[], str]) -> str:
    try:
        return read()
    except SecretUnreadable:
        raise rec.fail(
            "login",
            _(
                "The stored password cannot be decrypted with the current encryption key "
                "(was ATIENDE_ENCRYPTION_KEY changed?). Enter the password again."
            ),
        ) from None
