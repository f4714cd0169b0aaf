"""The built-in SMTP receiver: mail for our SMTP mailboxes, stored before we say 250.

RCPT TO must name an active mailbox whose inbound method is ``smtp`` (else 550). The size
limit is announced (``SIZE``) and enforced per recipient mailbox (552). On DATA the raw bytes
are committed through `store_raw` — one row per recipient mailbox — and only then does the
client hear 250; any failure before that is a 451, so the sending server retries and nothing
is lost (a retry of stored bytes is recognised as a duplicate).

Replies are protocol text and must be US-ASCII (RFC 5321 §4.2): translated texts are folded
to ASCII.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
import unicodedata
from collections.abc import Callable
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from channels.db import database_sync_to_async
from django.db import connections
from django.utils.translation import gettext as _

from atiende.messaging.inbound.store import MessageTooLarge, store_raw
from atiende.messaging.models import MAX_STORED_BYTES, InboundMethod, InboundSource, Mailbox
from atiende.messaging.transports.common import enqueue_processing

log = logging.getLogger(__name__)

DEFAULT_ADDRESS = "127.0.0.1:2525"
ENV_VAR = "ATIENDE_SMTPD"
# Longer than RFC 5321's 1000: real mail breaks that rule, and refusing it loses mail.
LINE_LENGTH_LIMIT = 100_000


def ascii_reply(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.split())


def parse_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:2525`` for IPv6) → (host, port); raises ValueError."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdecimal() or not host:
        raise ValueError(value)
    return host.strip("[]"), int(port)


def _mailbox_for(address: str) -> Mailbox | None:
    return (
        Mailbox.objects.filter(
            address__iexact=address.strip(), active=True, inbound_method=InboundMethod.SMTP
        )
        .only("pk", "address", "max_message_bytes")
        .first()
    )


def _store(raw: bytes, recipients: list[str]) -> list[int]:
    """Commit one row per recipient mailbox (duplicates found, not doubled), then enqueue."""
    stored = []
    seen: set[int] = set()
    for recipient in recipients:
        mailbox = _mailbox_for(recipient)
        if mailbox is None or mailbox.pk in seen:
            continue
        seen.add(mailbox.pk)
        inbound, _created = store_raw(
            raw, mailbox=mailbox, source=InboundSource.SMTP, recipient=recipient
        )
        stored.append(inbound.pk)
        enqueue_processing(inbound)
    return stored


class Receiver:
    """aiosmtpd handler: check recipients, store the data, then answer."""

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook names)
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        mailbox = await database_sync_to_async(_mailbox_for)(address)
        if mailbox is None:
            return "550 5.1.1 " + ascii_reply(
                _("<%(address)s>: no such mailbox here (not an active SMTP mailbox).")
                % {"address": address}
            )
        limit = min(mailbox.max_message_bytes, MAX_STORED_BYTES)
        accepted = getattr(envelope, "atiende_limit", 0)
        envelope.atiende_limit = max(accepted, limit)  # type: ignore[attr-defined]
        server.data_size_limit = envelope.atiende_limit  # type: ignore[attr-defined]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if not envelope.rcpt_tos:
            return "503 5.5.1 " + ascii_reply(_("No valid recipients."))
        try:
            stored = await database_sync_to_async(_store)(raw, list(envelope.rcpt_tos))
        except MessageTooLarge as error:
            return "552 5.3.4 " + ascii_reply(str(error))
        except Exception:
            log.exception("could not store a message from %s", session.peer)
            return "451 4.3.0 " + ascii_reply(
                _("The message could not be stored; please try again later.")
            )
        return "250 2.0.0 " + ascii_reply(
            _("Stored as %(ids)s.") % {"ids": ", ".join(str(i) for i in stored)}
        )


class AtiendeSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT

    def _set_post_data_state(self) -> None:
        """Each mail transaction starts with the full limit; its RCPTs lower it again."""
        super()._set_post_data_state()  # type: ignore[no-untyped-call]
        self.data_size_limit = MAX_STORED_BYTES


def tls_context() -> ssl.SSLContext | None:
    """STARTTLS is offered when ``ATIENDE_SMTPD_TLS_CERT`` / ``_KEY`` name PEM files."""
    cert = os.environ.get("ATIENDE_SMTPD_TLS_CERT", "")
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, os.environ.get("ATIENDE_SMTPD_TLS_KEY") or None)
    return context


def factory(handler: Receiver, hostname: str | None = None) -> Callable[[], SMTP]:
    context = tls_context()

    def make() -> SMTP:
        return AtiendeSMTP(
            handler,
            tls_context=context,
            data_size_limit=MAX_STORED_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=hostname or socket.getfqdn(),
            ident="Atiende",
            loop=asyncio.get_running_loop(),
        )

    return make


async def serve(
    host: str,
    port: int,
    *,
    ready: Callable[[], Any] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Listen until ``stop`` is set (or SIGTERM / SIGINT when running as the main program)."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    server = await loop.create_server(factory(Receiver()), host=host, port=port)
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready()
    try:
        await stop.wait()
    finally:
        server.close()
        close_clients = getattr(server, "close_clients", None)  # Python 3.13
        if close_clients is not None:
            close_clients()  # a client mid-DATA hears nothing: no 250, so it retries
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), timeout=5)
        await database_sync_to_async(connections.close_all)()  # the worker thread's own
