"""Testing a mailbox's IMAP settings, step by step."""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl

from django.utils.translation import gettext as _

from atiende.messaging.connection_test.steps import (
    ConnectionReport,
    Recorder,
    connect,
    read_password,
    reply_text,
    tls_context,
    tls_error,
    wrap_tls,
)
from atiende.messaging.models import AfterFetch, Mailbox, Security


class _IMAP(imaplib.IMAP4):
    """`imaplib.IMAP4` over a socket we already opened (and maybe wrapped in TLS)."""

    def __init__(self, sock: socket.socket, host: str, port: int) -> None:
        self._given_sock = sock
        super().__init__(host, port, timeout=sock.gettimeout())

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self._given_sock


def check_imap(mailbox: Mailbox, report: ConnectionReport, timeout: float) -> None:
    rec = Recorder(report, "imap")
    host, port = mailbox.imap_host, mailbox.imap_port
    if not host:
        raise rec.fail("settings", _("No IMAP server is set for this mailbox."))
    sock = connect(rec, host, port, timeout)
    if mailbox.imap_security == Security.TLS:
        sock = wrap_tls(rec, sock, host)
    try:
        imap = _IMAP(sock, host, port)
    except (imaplib.IMAP4.error, OSError, EOFError) as error:
        sock.close()
        raise rec.fail(
            "greeting",
            _("The server did not answer as an IMAP server (%(reason)s). Is this the IMAP port?")
            % {"reason": reply_text(str(error)) or _("no greeting")},
        ) from None
    try:
        _imap_session(rec, imap, mailbox, host)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
            imap.logout()


def _imap_session(rec: Recorder, imap: _IMAP, mailbox: Mailbox, host: str) -> None:
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
            imap.starttls(ssl_context=tls_context())
        except ssl.SSLError as error:
            raise rec.fail("starttls", tls_error(host, error)) from None
        except (imaplib.IMAP4.error, OSError) as error:
            raise rec.fail(
                "starttls",
                _("STARTTLS failed: %(reason)s.") % {"reason": reply_text(str(error))},
            ) from None
        rec.ok("starttls", _("STARTTLS is set up; the certificate is valid."))
    if "LOGINDISABLED" in imap.capabilities:
        raise rec.fail(
            "login",
            _("The server refuses to sign in over this connection; use TLS or STARTTLS."),
        )
    password = read_password(rec, lambda: mailbox.imap_password)
    try:
        imap.login(mailbox.imap_username, password)
    except imaplib.IMAP4.error as error:
        raise rec.fail(
            "login",
            _("The server rejected the user name or password (it said: %(reply)s).")
            % {"reply": reply_text(str(error))},
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
                % {"folder": folder, "reply": reply_text(data)},
            )
        count = reply_text(data)
        rec.ok(
            step,
            _("The folder “%(folder)s” is there (%(count)s messages).")
            % {"folder": folder, "count": count},
        )


def _quote(folder: str) -> str:
    """A folder name as an IMAP quoted string (names with spaces need it)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
