"""“Test connection” for a mailbox: each step of reaching its IMAP and SMTP servers, and
exactly which one failed, in words an administrator can act on.

The steps are done one by one instead of letting `imaplib` / `smtplib` connect on their own,
so that a failure is pinned to a step: the name lookup (DNS), the TCP connection (refused,
no answer, unreachable), the TLS handshake (certificate not trusted, not TLS at all), STARTTLS
(not offered), the login (rejected, not offered) and the folders. Every network step has a
short timeout; nothing is written on either server.
"""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from atiende.messaging.crypto import SecretUnreadable
from atiende.messaging.models import AfterFetch, InboundMethod, Mailbox, Security
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


class _Recorder:
    def __init__(self, report: ConnectionReport, prefix: str) -> None:
        self.report = report
        self.prefix = prefix

    def ok(self, name: str, message: str) -> None:
        self.report.steps.append(Step(f"{self.prefix}.{name}", True, message))

    def fail(self, name: str, message: str) -> StepFailed:
        self.report.steps.append(Step(f"{self.prefix}.{name}", False, message))
        return StepFailed(message)


def _reply_text(value: Any) -> str:
    """A server's reply (bytes, str or a list of them) as one short line."""
    if isinstance(value, (list, tuple)):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = " ".join(str(value).split())
    return text[:REPLY_CHARS] + ("…" if len(text) > REPLY_CHARS else "")


def _tls_context() -> ssl.SSLContext:
    """The same trust as the mail transports: system authorities plus
    ``ATIENDE_MAIL_CA_FILE`` when set."""
    return client_context()


def _tls_error(host: str, error: ssl.SSLError) -> str:
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


def _connect(rec: _Recorder, host: str, port: int, timeout: float) -> socket.socket:
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


def _wrap_tls(rec: _Recorder, sock: socket.socket, host: str) -> ssl.SSLSocket:
    try:
        wrapped = _tls_context().wrap_socket(sock, server_hostname=host.strip("[]"))
    except ssl.SSLError as error:
        sock.close()
        raise rec.fail("tls", _tls_error(host, error)) from None
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


class _IMAP(imaplib.IMAP4):
    """`imaplib.IMAP4` over a socket we already opened (and maybe wrapped in TLS)."""

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self._given_sock = sock
        super().__init__(host, port, timeout=sock.gettimeout())

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self._given_sock


def _password(rec: _Recorder, read: Callable[[], str]) -> str:
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


def _check_imap(mailbox: Mailbox, report: ConnectionReport, timeout: float) -> None:
    rec = _Recorder(report, "imap")
    host, port = mailbox.imap_host, mailbox.imap_port
    if not host:
        raise rec.fail("settings", _("No IMAP server is set for this mailbox."))
    sock = _connect(rec, host, port, timeout)
    if mailbox.imap_security == Security.TLS:
        sock = _wrap_tls(rec, sock, host)
    try:
        imap = _IMAP(sock, host, port)
    except (imaplib.IMAP4.error, OSError, EOFError) as error:
        sock.close()
        raise rec.fail(
            "greeting",
            _("The server did not answer as an IMAP server (%(reason)s). Is this the IMAP port?")
            % {"reason": _reply_text(str(error)) or _("no greeting")},
        ) from None
    try:
        _imap_session(rec, imap, mailbox, host)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
            imap.logout()


def _imap_session(rec: _Recorder, imap: _IMAP, mailbox: Mailbox, host: str) -> None:
    if mailbox.imap_security == Security.STARTTLS:
        if "STARTTLS" not in imap.capabilities:
            raise rec.fail(
                "starttls",
                _(
                    "The server does not offer STARTTLS on this port. Choose TLS (usually port "
                    "993) or check the server's settings."
                ),
            )
        try:
            imap.starttls(ssl_context=_tls_context())
        except ssl.SSLError as error:
            raise rec.fail("starttls", _tls_error(host, error)) from None
        except (imaplib.IMAP4.error, OSError) as error:
            raise rec.fail(
                "starttls",
                _("STARTTLS failed: %(reason)s.") % {"reason": _reply_text(str(error))},
            ) from None
        rec.ok("starttls", _("STARTTLS is set up; the certificate is valid."))
    if "LOGINDISABLED" in imap.capabilities:
        raise rec.fail(
            "login",
            _("The server refuses to sign in over this connection; use TLS or STARTTLS."),
        )
    password = _password(rec, lambda: mailbox.imap_password)
    try:
        imap.login(mailbox.imap_username, password)
    except imaplib.IMAP4.error as error:
        raise rec.fail(
            "login",
            _("The server rejected the user name or password (it said: %(reply)s).")
            % {"reply": _reply_text(str(error))},
        ) from None
    except (OSError, EOFError) as error:
        raise rec.fail(
            "login",
            _("The connection broke while signing in: %(reason)s.") % {"reason": error},
        ) from None
    rec.ok("login", _("Signed in as %(user)s.") % {"user": mailbox.imap_username})
    folders = [("folder", mailbox.imap_folder)]
    if mailbox.imap_after_fetch == AfterFetch.MOVE and mailbox.imap_move_to:
        folders.append(("move_folder", mailbox.imap_move_to))
    for step, folder in folders:
        try:
            kind, data = imap.select(_quote(folder), readonly=True)
        except (imaplib.IMAP4.error, OSError, EOFError) as error:
            kind, data = "NO", [str(error).encode()]
        if kind != "OK":
            raise rec.fail(
                step,
                _(
                    "The folder “%(folder)s” does not exist or cannot be opened (the server said: "
                    "%(reply)s)."
                )
                % {"folder": folder, "reply": _reply_text(data)},
            )
        count = _reply_text(data)
        rec.ok(
            step,
            _("The folder “%(folder)s” is there (%(count)s messages).")
            % {"folder": folder, "count": count},
        )


def _quote(folder: str) -> str:
    """A folder name as an IMAP quoted string (names with spaces need it)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_smtp(mailbox: Mailbox, report: ConnectionReport, timeout: float) -> None:
    import smtplib

    rec = _Recorder(report, "smtp")
    host, port = mailbox.smtp_host, mailbox.smtp_port
    sock = _connect(rec, host, port, timeout)
    if mailbox.smtp_security == Security.TLS:
        sock = _wrap_tls(rec, sock, host)

    class _SMTP(smtplib.SMTP):
        def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
            return sock

    smtp = _SMTP(timeout=timeout)
    smtp._host = host.strip("[]")  # type: ignore[attr-defined]  # STARTTLS verifies this name
    try:
        try:
            code, reply = smtp.connect(host, port)
        except (smtplib.SMTPException, OSError) as error:
            raise rec.fail(
                "greeting",
                _(
                    "The server did not answer as an SMTP server (%(reason)s). Is this the SMTP "
                    "port?"
                )
                % {"reason": _reply_text(str(error)) or _("no greeting")},
            ) from None
        if code != 220:
            raise rec.fail(
                "greeting",
                _("The server refused the session: %(code)d %(reply)s.")
                % {"code": code, "reply": _reply_text(reply)},
            )
        _smtp_session(rec, smtp, mailbox, host)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _smtp_session(rec: _Recorder, smtp: Any, mailbox: Mailbox, host: str) -> None:
    import smtplib

    try:
        smtp.ehlo()
        if mailbox.smtp_security == Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise rec.fail(
                    "starttls",
                    _(
                        "The server does not offer STARTTLS on this port. Choose TLS (usually "
                        "port 465) or check the server's settings."
                    ),
                )
            try:
                smtp.starttls(context=_tls_context())
            except ssl.SSLError as error:
                raise rec.fail("starttls", _tls_error(host, error)) from None
            rec.ok("starttls", _("STARTTLS is set up; the certificate is valid."))
            smtp.ehlo()
    except smtplib.SMTPException as error:
        raise rec.fail(
            "greeting",
            _("The server refused the session: %(reply)s.") % {"reply": _reply_text(str(error))},
        ) from None
    if not mailbox.smtp_username:
        rec.ok("login", _("No SMTP user is set: mail is sent without signing in."))
        return
    if not smtp.has_extn("auth"):
        raise rec.fail(
            "login",
            _(
                "The server does not support SMTP AUTH (signing in) on this connection. Some "
                "servers offer it only after STARTTLS or on port 587; or clear the user name."
            ),
        )
    password = _password(rec, lambda: mailbox.smtp_password)
    try:
        smtp.login(mailbox.smtp_username, password)
    except smtplib.SMTPAuthenticationError as error:
        raise rec.fail(
            "login",
            _("The server rejected the user name or password (it said: %(code)d %(reply)s).")
            % {"code": error.smtp_code, "reply": _reply_text(error.smtp_error)},
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise rec.fail("login", _("The server does not support SMTP AUTH.")) from None
    except smtplib.SMTPException as error:
        raise rec.fail(
            "login",
            _("Signing in failed: %(reason)s.") % {"reason": _reply_text(str(error))},
        ) from None
    rec.ok("login", _("Signed in as %(user)s.") % {"user": mailbox.smtp_username})


def check_mailbox(mailbox: Mailbox, *, timeout: float = TIMEOUT) -> ConnectionReport:
    """Try the mailbox's IMAP server (when it fetches by IMAP) and its SMTP server (when one is
    set), step by step, stopping each at its first failure."""
    report = ConnectionReport()
    if mailbox.inbound_method == InboundMethod.IMAP:
        with contextlib.suppress(StepFailed):
            _check_imap(mailbox, report, timeout)
    else:
        report.steps.append(
            Step(
                "inbound",
                True,
                _("Mail comes in through %(method)s: there is no server to connect to.")
                % {"method": mailbox.get_inbound_method_display()},
            )
        )
    if mailbox.smtp_host:
        with contextlib.suppress(StepFailed):
            _check_smtp(mailbox, report, timeout)
    else:
        report.steps.append(
            Step(
                "smtp.settings",
                True,
                _("No SMTP server is set: replies go out through the default mail server."),
            )
        )
    return report
