"""Handing a message to an SMTP server, with every failure sorted into temporary or final.

A 4xx answer, a refused or dropped connection and a timeout are temporary (retry later); a
5xx answer is final (the server's text becomes the reason). The mailbox's own server is used
when it has one, else ``MAILERS["default"]``.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from django.core.mail import mailers
from django.utils.translation import gettext as _

from atiende.messaging.models import Mailbox, Security
from atiende.messaging.transports.tls import client_context, is_loopback

TIMEOUT = 30
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class DeliveryError(Exception):
    """The message was not accepted; ``permanent`` says whether retrying can help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str
    username: str = ""
    password: str = ""


def server_for(mailbox: Mailbox | None) -> Server | None:
    """The SMTP server to use, or None when the default mailer is not SMTP (files, console)."""
    if mailbox is not None and mailbox.smtp_host:
        return Server(
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            security=mailbox.smtp_security,
            username=mailbox.smtp_username,
            password=mailbox.smtp_password,
        )
    from django.conf import settings

    config = settings.MAILERS.get("default", {})
    if config.get("BACKEND", SMTP_BACKEND) != SMTP_BACKEND:
        return None
    options: dict[str, Any] = config.get("OPTIONS", {})
    security = (
        Security.TLS
        if options.get("use_ssl")
        else Security.STARTTLS
        if options.get("use_tls")
        else Security.NONE
    )
    return Server(
        host=options.get("host", "localhost"),
        port=int(options.get("port", 25)),
        security=security,
        username=options.get("username") or "",
        password=options.get("password") or "",
    )


def send(msg: EmailMessage, *, mailbox: Mailbox | None, from_addr: str, to: list[str]) -> str:
    """Deliver ``msg`` to ``to``; returns the server's answer or raises `DeliveryError`."""
    server = server_for(mailbox)
    if server is None:
        return _send_with_default_mailer(msg, from_addr, to)
    try:
        return _send_smtp(server, msg, from_addr, to)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        text = "; ".join(
            f"{rcpt}: {code} {_decode(reply)}" for rcpt, (code, reply) in error.recipients.items()
        )
        raise DeliveryError(text, permanent=all(c >= 500 for c in codes)) from error
    except smtplib.SMTPResponseException as error:
        text = f"{error.smtp_code} {_decode(error.smtp_error)}"
        raise DeliveryError(text, permanent=error.smtp_code >= 500) from error
    except (smtplib.SMTPException, OSError) as error:
        text = _("Could not reach %(host)s:%(port)s: %(error)s") % {
            "host": server.host,
            "port": server.port,
            "error": error or type(error).__name__,
        }
        raise DeliveryError(text, permanent=False) from error


def _send_smtp(server: Server, msg: EmailMessage, from_addr: str, to: list[str]) -> str:
    if server.security == Security.NONE and not is_loopback(server.host):
        raise DeliveryError(
            _(
                "Refusing to send in the clear to %(host)s: only a server on this machine "
                "may do without TLS."
            )
            % {"host": server.host},
            permanent=True,
        )
    context = client_context()
    client: smtplib.SMTP
    if server.security == Security.TLS:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
    with client:
        client.ehlo()
        if server.security == Security.STARTTLS:
            client.starttls(context=context)
            client.ehlo()
        if server.username:
            client.login(server.username, server.password)
        refused = client.send_message(msg, from_addr=from_addr, to_addrs=to)
        if refused:  # some recipients refused, some accepted: the mail went out
            return "; ".join(f"{r}: {c} {_decode(t)}" for r, (c, t) in refused.items())
    return ""


def _send_with_default_mailer(msg: EmailMessage, from_addr: str, to: list[str]) -> str:
    """The embedded default writes mail to files: hand it to Django's configured mailer."""
    try:
        mailers.default.send_messages([_Prepared(msg, from_addr, to)])  # type: ignore[list-item]
    except OSError as error:
        raise DeliveryError(str(error), permanent=False) from error
    return ""


class _Prepared:
    """A ready MIME message in the shape Django's mail backends expect."""

    def __init__(self, msg: EmailMessage, from_addr: str, to: list[str]) -> None:
        self._msg = msg
        self.from_email = from_addr
        self.to = to
        self.cc: list[str] = []
        self.bcc: list[str] = []

    def message(self, policy: Any = None) -> EmailMessage:
        return self._msg

    def recipients(self) -> list[str]:
        return self.to


def _decode(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())
