"""Testing a mailbox's SMTP settings, step by step."""

from __future__ import annotations

import socket
import ssl
from typing import Any

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
from atiende.messaging.models import Mailbox, Security


def check_smtp(mailbox: Mailbox, report: ConnectionReport, timeout: float) -> None:
    import smtplib

    rec = Recorder(report, "smtp")
    host, port = mailbox.smtp_host, mailbox.smtp_port
    sock = connect(rec, host, port, timeout)
    if mailbox.smtp_security == Security.TLS:
        sock = wrap_tls(rec, sock, host)

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
                % {"reason": reply_text(str(error)) or _("no greeting")},
            ) from None
        if code != 220:
            raise rec.fail(
                "greeting",
                _("The server refused the session: %(code)d %(reply)s.")
                % {"code": code, "reply": reply_text(reply)},
            )
        _smtp_session(rec, smtp, mailbox, host)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _smtp_session(rec: Recorder, smtp: Any, mailbox: Mailbox, host: str) -> None:
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
                smtp.starttls(context=tls_context())
            except ssl.SSLError as error:
                raise rec.fail("starttls", tls_error(host, error)) from None
            rec.ok("starttls", _("STARTTLS is set up; the certificate is valid."))
            smtp.ehlo()
    except smtplib.SMTPException as error:
        raise rec.fail(
            "greeting",
            _("The server refused the session: %(reply)s.") % {"reply": reply_text(str(error))},
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
    password = read_password(rec, lambda: mailbox.smtp_password)
    try:
        smtp.login(mailbox.smtp_username, password)
    except smtplib.SMTPAuthenticationError as error:
        raise rec.fail(
            "login",
            _("The server rejected the user name or password (it said: %(code)d %(reply)s).")
            % {"code": error.smtp_code, "reply": reply_text(error.smtp_error)},
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise rec.fail("login", _("The server does not support SMTP AUTH.")) from None
    except smtplib.SMTPException as error:
        raise rec.fail(
            "login",
            _("Signing in failed: %(reason)s.") % {"reason": reply_text(str(error))},
        ) from None
    rec.ok("login", _("Signed in as %(user)s.") % {"user": mailbox.smtp_username})
