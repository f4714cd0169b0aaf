"""IMAP polling: fetch new mail, store it raw, and only then mark, delete or move it.

A message is flagged on the server only after `store_raw` has committed it, so a crash or a
database error between the two re-fetches the message on the next poll, where the stored
copy is recognised as a duplicate (same bytes, same mailbox): never lost, never doubled.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.messaging.crypto import SecretUnreadable
from atiende.messaging.inbound.store import MessageTooLarge, store_raw
from atiende.messaging.models import (
    MAX_STORED_BYTES,
    AfterFetch,
    InboundSource,
    Mailbox,
    Security,
)
from atiende.messaging.transports.common import enqueue_processing
from atiende.messaging.transports.tls import client_context, is_loopback

log = logging.getLogger(__name__)

TIMEOUT = 30
MAX_PER_POLL = 100  # a big backlog drains over several polls, each one short
_SIZE = re.compile(rb"UID (\d+).*?RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+).*?UID (\d+)")


class PollError(Exception):
    """The poll could not go on; the text is what the mailbox's ``last_error`` shows."""


@dataclass
class PollResult:
    stored: int = 0
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""


@contextmanager
def connect(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in connection with the mailbox's folder selected (read-write)."""
    host, port = mailbox.imap_host, mailbox.imap_port
    if not host:
        raise PollError(_("The mailbox has no IMAP server."))
    if mailbox.imap_security == Security.NONE and not is_loopback(host):
        raise PollError(
            _("IMAP without TLS is only allowed to a server on this machine, not %(host)s.")
            % {"host": host}
        )
    client: imaplib.IMAP4
    if mailbox.imap_security == Security.TLS:
        client = imaplib.IMAP4_SSL(host, port, ssl_context=client_context(), timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(host, port, timeout=TIMEOUT)
    try:
        if mailbox.imap_security == Security.STARTTLS:
            client.starttls(ssl_context=client_context())
        client.login(mailbox.imap_username, mailbox.imap_password)
        typ, data = client.capability()  # servers announce more (MOVE, UIDPLUS) once logged in
        if typ == "OK" and data and data[0]:
            client.capabilities = tuple(data[0].decode().upper().split())
        typ, data = client.select(quote(mailbox.imap_folder))
        if typ != "OK":
            raise PollError(
                _("The folder %(folder)s cannot be opened: %(answer)s")
                % {"folder": mailbox.imap_folder, "answer": _text(data)}
            )
        yield client
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def quote(folder: str) -> str:
    """An IMAP quoted string (folder names may hold spaces)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll(mailbox: Mailbox) -> PollResult:
    """Fetch up to `MAX_PER_POLL` new messages of ``mailbox``; records the outcome on it."""
    started = timezone.now()
    result = PollResult()
    try:
        with connect(mailbox) as client:
            _fetch_new(client, mailbox, result)
    except PollError as error:
        result.error = str(error)
    except SecretUnreadable:
        result.error = _("The IMAP password cannot be decrypted; enter it again.")
    except imaplib.IMAP4.error as error:
        result.error = _("The IMAP server refused: %(error)s") % {"error": _text(error)}
    except (OSError, ssl.SSLError) as error:
        result.error = _("Could not reach %(host)s:%(port)s: %(error)s") % {
            "host": mailbox.imap_host,
            "port": mailbox.imap_port,
            "error": error or type(error).__name__,
        }
    except DatabaseError as error:
        result.error = _("Could not store a message; it stays on the server: %(error)s") % {
            "error": error
        }
    if result.skipped and not result.error:
        result.error = " ".join(result.skipped)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=started, last_error=result.error)
    if result.error:
        log.warning("IMAP poll of %s: %s", mailbox.address, result.error)
    return result


def _fetch_new(client: imaplib.IMAP4, mailbox: Mailbox, result: PollResult) -> None:
    criteria = (
        "UNSEEN UNDELETED" if mailbox.imap_after_fetch == AfterFetch.MARK_SEEN else "UNDELETED"
    )
    typ, data = client.uid("SEARCH", *criteria.split())
    _check(typ, data)
    uids = [uid.decode() for uid in (data[0] or b"").split()][:MAX_PER_POLL]
    if not uids:
        return
    sizes = _sizes(client, uids)
    deleted = False
    for uid in uids:
        if sizes.get(uid, 0) > MAX_STORED_BYTES:
            result.skipped.append(
                _(
                    "Message %(uid)s is %(size)d bytes, larger than we can store; "
                    "it was left on the server."
                )
                % {"uid": uid, "size": sizes[uid]}
            )
            continue
        raw = _fetch(client, uid)
        if raw is None:
            continue
        try:
            inbound, created = store_raw(
                raw, mailbox=mailbox, source=InboundSource.IMAP, recipient=mailbox.address
            )
        except MessageTooLarge as error:
            result.skipped.append(str(error))
            continue
        # Committed: from here on the server's copy may go.
        deleted |= _after_fetch(client, mailbox, uid)
        result.stored += created
        result.duplicates += not created
        enqueue_processing(inbound)
    if deleted:
        client.expunge()


def _sizes(client: imaplib.IMAP4, uids: list[str]) -> dict[str, int]:
    typ, data = client.uid("FETCH", ",".join(uids), "(RFC822.SIZE)")
    _check(typ, data)
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        match = _SIZE.search(line or b"")
        if match:
            uid, size = (
                (match.group(1), match.group(2))
                if match.group(1)
                else (match.group(4), match.group(3))
            )
            sizes[uid.decode()] = int(size)
    return sizes


def _fetch(client: imaplib.IMAP4, uid: str) -> bytes | None:
    """The raw message (BODY.PEEK: fetching alone does not mark it read)."""
    typ, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    _check(typ, data)
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # expunged by someone else meanwhile


def _after_fetch(client: imaplib.IMAP4, mailbox: Mailbox, uid: str) -> bool:
    """Mark, delete or move one stored message; True when an expunge is still due."""
    mode = mailbox.imap_after_fetch
    if mode == AfterFetch.MOVE and mailbox.imap_move_to:
        if b"MOVE" in _capabilities(client):
            typ, data = client.uid("MOVE", uid, quote(mailbox.imap_move_to))
            _check(typ, data)
            return False
        typ, data = client.uid("COPY", uid, quote(mailbox.imap_move_to))
        _check(typ, data)
        mode = AfterFetch.DELETE
    if mode == AfterFetch.DELETE:
        typ, data = client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted \Seen)")
        _check(typ, data)
        return True
    typ, data = client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
    _check(typ, data)
    return False


def _capabilities(client: imaplib.IMAP4) -> set[bytes]:
    return {c.encode() if isinstance(c, str) else c for c in client.capabilities}


def _check(typ: str, data: object) -> None:
    if typ != "OK":
        raise PollError(_("The IMAP server answered: %(answer)s") % {"answer": _text(data)})


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        value = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in value if v)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())
