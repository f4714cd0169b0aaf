"""/mailboxes: support addresses, their connection test and raw MIME upload. Admins only.

Passwords are write-only: they are accepted on create and update and never returned
(``has_imap_password`` / ``has_smtp_password`` say whether one is stored).
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from atiende.api import idempotency
from atiende.api.auth import actor
from atiende.api.errors import problem
from atiende.api.schemas.accounts import PageIn
from atiende.api.schemas.common import BodyIn, Clean, Email, Id, NamedRef, Page, UpdateIn, errors
from atiende.core.errors import Conflict, Invalid, PayloadTooLarge
from atiende.core.permissions import require_admin
from atiende.messaging import mailboxes
from atiende.messaging.alert_inboxes import allowed_senders
from atiende.messaging.connection_test import check_mailbox
from atiende.messaging.inbound.tasks import process_inbound
from atiende.messaging.models import MAX_STORED_BYTES

router = Router(tags=["mailboxes"])

RAW_CONTENT_TYPE = "message/rfc822"
Host = Annotated[str, Clean, StringConstraints(max_length=253)]
Line = Annotated[str, Clean, StringConstraints(max_length=255)]
Secret = Annotated[str, Clean, StringConstraints(max_length=1000)]
Text = Annotated[str, Clean, StringConstraints(max_length=5000)]
Port = Annotated[int, Field(ge=1, le=65535)]
Size = Annotated[int, Field(ge=mailboxes.MIN_MESSAGE_BYTES, le=MAX_STORED_BYTES)]
MethodName = Literal["imap", "smtp", "upload"]
SecurityName = Literal["tls", "starttls", "none"]
AfterFetchName = Literal["seen", "delete", "move"]
TRUSTED = (
    "The authserv-id(s) of the server that receives this mailbox's mail; only its "
    "Authentication-Results authenticate a staff member's reply (docs/security.md)."
)
MailboxLanguage = Literal["", "es", "en"]
ALERT_INBOX = (
    "Mail to this address is read as monitoring alerts (Zabbix, Nagios/Icinga, any monitor's "
    "mail): a ticket per alert key, repeats added to it, recoveries solve it; never a "
    "customer conversation."
)
ALERT_SENDERS = (
    "Who may send alerts: addresses (nagios@example.com) or domains (@example.com). Empty: "
    "anyone; mail from others waits in the quarantine."
)
Sender = Annotated[str, Clean, StringConstraints(max_length=254)]


class MailboxOut(Schema):
    id: int
    address: str
    display_name: str
    brand_name: str
    signature: str
    language: str = Field(
        description="New customers' language when their mail cannot tell; empty: the default."
    )
    group: NamedRef | None
    active: bool
    max_message_bytes: int
    inbound_method: str
    trusted_authserv_id: str
    alert_inbox: bool = Field(description=ALERT_INBOX)
    alert_senders: list[str] = Field(description=ALERT_SENDERS)
    alert_solve_on_recovery: bool
    imap_host: str
    imap_port: int
    imap_security: str
    imap_username: str
    has_imap_password: bool
    imap_folder: str
    imap_after_fetch: str
    imap_move_to: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_username: str
    has_smtp_password: bool
    last_polled_at: datetime.datetime | None
    last_error: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_alert_senders(obj: Any) -> list[str]:
        return allowed_senders(obj)

    @staticmethod
    def resolve_has_imap_password(obj: Any) -> bool:
        return bool(obj.imap_secret)

    @staticmethod
    def resolve_has_smtp_password(obj: Any) -> bool:
        return bool(obj.smtp_secret)


MailboxPage = Page[MailboxOut]


class MailboxCreateIn(BodyIn):
    """A new mailbox. IMAP host, user and password are required when ``inbound_method`` is
    ``imap``; ``imap_move_to`` when ``imap_after_fetch`` is ``move``."""

    address: Email
    display_name: Line = ""
    brand_name: Line = ""
    signature: Text = ""
    language: MailboxLanguage = ""
    group_id: Id | None = None
    active: bool = True
    max_message_bytes: Size = 25 * 1024 * 1024
    inbound_method: MethodName
    trusted_authserv_id: Line = Field(default="", description=TRUSTED)
    alert_inbox: bool = Field(default=False, description=ALERT_INBOX)
    alert_senders: list[Sender] = Field(
        default_factory=list, max_length=100, description=ALERT_SENDERS
    )
    alert_solve_on_recovery: bool = True
    imap_host: Host = ""
    imap_port: Port = 993
    imap_security: SecurityName = "tls"
    imap_username: Line = ""
    imap_password: Secret | None = Field(default=None, description="Write-only.")
    imap_folder: Line = "INBOX"
    imap_after_fetch: AfterFetchName = "seen"
    imap_move_to: Line = ""
    smtp_host: Host = ""
    smtp_port: Port = 587
    smtp_security: SecurityName = "starttls"
    smtp_username: Line = ""
    smtp_password: Secret | None = Field(default=None, description="Write-only.")


class MailboxUpdateIn(UpdateIn):
    """Only the fields present change. A password left out (or ``null``) is kept; ``""``
    removes it."""

    nullable = frozenset({"group_id", "imap_password", "smtp_password"})

    address: Email | None = None
    display_name: Line | None = None
    brand_name: Line | None = None
    signature: Text | None = None
    language: MailboxLanguage | None = None
    group_id: Id | None = None
    active: bool | None = None
    max_message_bytes: Size | None = None
    inbound_method: MethodName | None = None
    trusted_authserv_id: Line | None = Field(default=None, description=TRUSTED)
    alert_inbox: bool | None = Field(default=None, description=ALERT_INBOX)
    alert_senders: list[Sender] | None = Field(
        default=None, max_length=100, description=ALERT_SENDERS
    )
    alert_solve_on_recovery: bool | None = None
    imap_host: Host | None = None
    imap_port: Port | None = None
    imap_security: SecurityName | None = None
    imap_username: Line | None = None
    imap_password: Secret | None = Field(default=None, description="Write-only.")
    imap_folder: Line | None = None
    imap_after_fetch: AfterFetchName | None = None
    imap_move_to: Line | None = None
    smtp_host: Host | None = None
    smtp_port: Port | None = None
    smtp_security: SecurityName | None = None
    smtp_username: Line | None = None
    smtp_password: Secret | None = Field(default=None, description="Write-only.")


class StepOut(Schema):
    name: str = Field(description="Stable step name, e.g. imap.dns, imap.login, smtp.tls.")
    ok: bool
    message: str


class ConnectionReportOut(Schema):
    ok: bool
    steps: list[StepOut]


class InboundOut(Schema):
    id: int
    state: str
    duplicate: bool
    reason: str


def _service_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The API's list of alert senders as the service's text, one per line."""
    if isinstance(values.get("alert_senders"), list):
        values = {**values, "alert_senders": "\n".join(values["alert_senders"])}
    return values


def _mailbox_out(mailbox_id: int, request: HttpRequest) -> Any:
    return mailboxes.get_mailbox(actor(request), mailbox_id)


@router.get("", response={200: MailboxPage, **errors(403, 422)})
def list_(request: HttpRequest, page: Query[PageIn]) -> dict[str, Any]:
    """Mailboxes by address."""
    found = mailboxes.list_mailboxes(actor(request), limit=page.limit, cursor=page.cursor)
    return {"items": found.items, "next_cursor": found.next_cursor}


@router.post("", response={201: MailboxOut, **errors(403, 409, 422)})
def create(request: HttpRequest, payload: MailboxCreateIn) -> HttpResponse:
    """Create a mailbox; a duplicate address is a 409 naming ``address``."""
    caller = actor(request)

    def handler() -> tuple[int, MailboxOut]:
        mailbox = mailboxes.create_mailbox(caller, **_service_fields(payload.model_dump()))
        return 201, MailboxOut.from_orm(mailboxes.get_mailbox(caller, mailbox.pk))

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler)


@router.get("/{mailbox_id}", response={200: MailboxOut, **errors(403, 404, 422)})
def read(request: HttpRequest, mailbox_id: Id) -> Any:
    return _mailbox_out(mailbox_id, request)


@router.patch("/{mailbox_id}", response={200: MailboxOut, **errors(403, 404, 409, 422)})
def update(request: HttpRequest, mailbox_id: Id, payload: MailboxUpdateIn) -> Any:
    """Change the fields given; ``active: false`` stops the mailbox."""
    changes = payload.model_dump(exclude_unset=True)
    for name, value in list(changes.items()):
        if value is None and name not in ("group_id", "imap_password", "smtp_password"):
            raise Invalid.field(name, _("This field cannot be null."))
    mailboxes.update_mailbox(
        actor(request), mailbox_id=mailbox_id, changes=_service_fields(changes)
    )
    return _mailbox_out(mailbox_id, request)


@router.post("/{mailbox_id}/test", response={200: ConnectionReportOut, **errors(403, 404, 422)})
def test_connection(request: HttpRequest, mailbox_id: Id) -> HttpResponse:
    """Connect to the mailbox's IMAP and SMTP servers step by step; each step says whether it
    worked and, if not, exactly why (DNS, connection, TLS, STARTTLS, login, folder)."""
    caller = actor(request)
    mailbox = mailboxes.get_mailbox(caller, mailbox_id)
    assert caller.user is not None
    return idempotency.run(request, caller.user, lambda: (200, check_mailbox(mailbox).as_dict()))


def _enqueue_processing(inbound_id: int) -> None:
    """Hand the stored message to the inbound pipeline's task after commit. If enqueueing
    fails, the periodic sweep of ``received`` messages picks it up."""
    transaction.on_commit(partial(process_inbound.enqueue, inbound_id), robust=True)


def _read_raw(request: HttpRequest, limit: int) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    too_large = PayloadTooLarge(
        _("The message is larger than this mailbox's limit of %(limit)d bytes.") % {"limit": limit}
    )
    if declared > limit:
        raise too_large
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise too_large
    return raw


@router.post(
    "/{mailbox_id}/messages",
    response={200: InboundOut, 202: InboundOut, **errors(403, 404, 409, 415, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {RAW_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def upload_message(request: HttpRequest, mailbox_id: Id) -> Any:
    """Deliver one raw email (``Content-Type: message/rfc822``, the body is the message's
    bytes) to this mailbox as if it had arrived by mail. 202 with the stored message's id;
    200 with the existing id when the same bytes were delivered before. Over the mailbox's
    size limit: 413."""
    caller = actor(request)
    require_admin(caller)
    mailbox = mailboxes.get_mailbox(caller, mailbox_id)
    if not mailbox.active:
        raise Conflict(_("This mailbox is inactive; activate it to accept mail."))
    raw = _read_raw(request, min(mailbox.max_message_bytes, MAX_STORED_BYTES))
    if not raw.strip():
        raise Invalid.field("body", _("The message is empty: send the raw email as the body."))
    if (request.content_type or "").lower() != RAW_CONTENT_TYPE:
        return problem(
            415,
            "unsupported_media_type",
            _("Unsupported media type"),
            _("Send the raw email with 'Content-Type: message/rfc822'."),
        )
    from atiende.messaging.inbound.store import MessageTooLarge, store_raw

    def handler() -> tuple[int, dict[str, Any]]:
        try:
            inbound, created = store_raw(raw, mailbox=mailbox, source="upload")
        except MessageTooLarge as error:
            raise PayloadTooLarge(str(error)) from None
        if created:
            _enqueue_processing(inbound.pk)
        body = {
            "id": inbound.pk,
            "state": inbound.state,
            "duplicate": not created,
            "reason": inbound.reason,
        }
        return (202 if created else 200), body

    assert caller.user is not None
    return idempotency.run(request, caller.user, handler, content=raw)
