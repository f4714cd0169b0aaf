"""Mailbox settings: the one write path for mailboxes (web settings and the API), admins only.

Every bad field is reported at once, by name, with a reason a person can act on. Passwords
are write-only: ``imap_password`` / ``smtp_password`` set through the model's encrypting
properties; ``None`` (or absent) keeps the stored one, ``""`` clears it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from atiende.accounts.models import Group
from atiende.accounts.services.common import clean_email
from atiende.core.actor import Actor
from atiende.core.errors import ErrorCollector, Invalid, NotFound
from atiende.core.pagination import Page, SortKey, paginate
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, conflict, save_unique
from atiende.core.text import clean_text
from atiende.messaging.alert_inboxes import clean_senders, sync_alert_account
from atiende.messaging.branding import clean_color, clean_host
from atiende.messaging.models import (
    MAX_STORED_BYTES,
    AfterFetch,
    InboundMethod,
    Mailbox,
    Security,
)
from atiende.messaging.templates import LANGUAGES

MIN_MESSAGE_BYTES = 10 * 1024
HOST_RE = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_])?\.?|\[[0-9A-Fa-f:.]+\]")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
TEXT_FIELDS = {
    "display_name": 200,
    "brand_name": 200,
    "signature": 5000,
    "trusted_authserv_id": 255,
}
PLAIN_FIELDS = {
    "address",
    "display_name",
    "brand_name",
    "brand_primary_color",
    "brand_accent_color",
    "portal_host",
    "signature",
    "language",
    "group_id",
    "active",
    "max_message_bytes",
    "inbound_method",
    "trusted_authserv_id",
    "alert_inbox",
    "alert_senders",
    "alert_solve_on_recovery",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_username",
    "imap_folder",
    "imap_after_fetch",
    "imap_move_to",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
}
SECRET_FIELDS = {"imap_password", "smtp_password"}
FIELDS = PLAIN_FIELDS | SECRET_FIELDS
NULLABLE = {"group_id", "imap_password", "smtp_password"}
BY_ADDRESS = SortKey("address", False, str)


def list_mailboxes(actor: Actor, *, limit: int = 50, cursor: str | None = None) -> Page[Mailbox]:
    require_admin(actor)
    found = Mailbox.objects.select_related("group")
    return paginate(found, BY_ADDRESS, limit=limit, cursor=cursor)


def all_mailboxes(actor: Actor) -> QuerySet[Mailbox]:
    require_admin(actor)
    return Mailbox.objects.select_related("group").order_by("address")


def get_mailbox(actor: Actor, mailbox_id: int) -> Mailbox:
    require_admin(actor)
    mailbox = Mailbox.objects.select_related("group").filter(pk=mailbox_id).first()
    if mailbox is None:
        raise NotFound(_("Mailbox not found."))
    return mailbox


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address: the only place a connection without TLS is safe."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _clean_host(errors: ErrorCollector, field: str, value: Any) -> str:
    host = clean_text(str(value or "")).strip()
    if host and (len(host) > 253 or not HOST_RE.fullmatch(host)):
        errors.add(field, _("Enter a host name such as mail.example.com or an IP address."))
    return host


def _clean_port(errors: ErrorCollector, field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        errors.add(field, _("Enter a port number from 1 to 65535."))
        return 0
    return value


def _clean_line(errors: ErrorCollector, field: str, value: Any, max_length: int = 255) -> str:
    text = clean_text(str(value or "")).strip()
    if CONTROL_RE.search(text):
        errors.add(field, _("Line breaks and control characters are not allowed."))
    elif len(text) > max_length:
        errors.add(field, _("At most %(max)d characters.") % {"max": max_length})
    return text


def _clean_choice(errors: ErrorCollector, field: str, value: Any, choices: Any) -> str:
    if value not in choices.values:
        errors.add(
            field,
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
        )
        return ""
    return str(value)


def _clean(data: dict[str, Any], *, current: Mailbox | None) -> dict[str, Any]:
    """The cleaned values of ``data`` (a full set of fields), all errors at once."""
    errors = ErrorCollector()
    out: dict[str, Any] = {}

    try:
        out["address"] = clean_email(str(data.get("address") or ""), "address")
    except Invalid as error:
        errors.errors.extend(error.errors)
    for name, max_length in TEXT_FIELDS.items():
        text = clean_text(str(data.get(name) or "")).replace("\r\n", "\n")
        text = text.strip() if name == "signature" else " ".join(text.split())
        if len(text) > max_length:
            errors.add(name, _("At most %(max)d characters.") % {"max": max_length})
        out[name] = text

    for name in ("brand_primary_color", "brand_accent_color"):
        try:
            out[name] = clean_color(data.get(name), name)
        except Invalid as error:
            errors.errors.extend(error.errors)
    try:
        out["portal_host"] = clean_host(data.get("portal_host"))
    except Invalid as error:
        errors.errors.extend(error.errors)

    group_id = data.get("group_id")
    out["group_id"] = None
    if group_id is not None:
        if isinstance(group_id, bool) or not isinstance(group_id, int):
            errors.add("group_id", _("Choose a group."))
        elif not Group.objects.filter(pk=group_id).exists():
            errors.add("group_id", _("Unknown group."))
        else:
            out["group_id"] = group_id
    out["active"] = bool(data.get("active", True))
    for name in ("alert_inbox", "alert_solve_on_recovery"):
        if not isinstance(data.get(name), bool):
            errors.add(name, _("Give true or false."))
        out[name] = bool(data.get(name))
    try:
        out["alert_senders"] = clean_senders(data.get("alert_senders"))
    except Invalid as error:
        errors.errors.extend(error.errors)
    out["language"] = data.get("language") or ""
    if out["language"] not in ("", *LANGUAGES):
        errors.add("language", _("Choose es, en or nothing (the instance default)."))

    size = data.get("max_message_bytes")
    if (
        isinstance(size, bool)
        or not isinstance(size, int)
        or not MIN_MESSAGE_BYTES <= size <= MAX_STORED_BYTES
    ):
        errors.add(
            "max_message_bytes",
            _("Enter a size from %(min)d to %(max)d bytes.")
            % {"min": MIN_MESSAGE_BYTES, "max": MAX_STORED_BYTES},
        )
    else:
        out["max_message_bytes"] = size

    method = _clean_choice(errors, "inbound_method", data.get("inbound_method"), InboundMethod)
    out["inbound_method"] = method

    # IMAP settings are checked in full only when mail is fetched by IMAP, but a value given
    # is never stored malformed.
    imap = method == InboundMethod.IMAP
    out["imap_host"] = _clean_host(errors, "imap_host", data.get("imap_host"))
    out["imap_port"] = _clean_port(errors, "imap_port", data.get("imap_port"))
    out["imap_security"] = _clean_choice(
        errors, "imap_security", data.get("imap_security"), Security
    )
    out["imap_username"] = _clean_line(errors, "imap_username", data.get("imap_username"))
    out["imap_folder"] = _clean_line(errors, "imap_folder", data.get("imap_folder")) or "INBOX"
    out["imap_after_fetch"] = _clean_choice(
        errors, "imap_after_fetch", data.get("imap_after_fetch"), AfterFetch
    )
    out["imap_move_to"] = _clean_line(errors, "imap_move_to", data.get("imap_move_to"))
    if imap:
        if not out["imap_host"]:
            errors.add("imap_host", _("Enter the IMAP server's host name to fetch mail by IMAP."))
        if not out["imap_username"]:
            errors.add("imap_username", _("Enter the user name to sign in to the IMAP server."))
        has_password = (
            bool(data["imap_password"])
            if data.get("imap_password") is not None
            else bool(current is not None and current.imap_secret)
        )
        if not has_password:
            errors.add("imap_password", _("Enter the password to sign in to the IMAP server."))
        if out["imap_after_fetch"] == AfterFetch.MOVE:
            if not out["imap_move_to"]:
                errors.add("imap_move_to", _("Enter the folder fetched mail is moved to."))
            elif out["imap_move_to"] == out["imap_folder"]:
                errors.add(
                    "imap_move_to",
                    _("Moving mail into the folder it is fetched from would fetch it again."),
                )
        if (
            out["imap_security"] == Security.NONE
            and out["imap_host"]
            and not is_loopback(out["imap_host"])
        ):
            errors.add(
                "imap_security",
                _(
                    "Without TLS the password crosses the network readable; use TLS or "
                    "STARTTLS unless the server is on this machine (localhost)."
                ),
            )

    out["smtp_host"] = _clean_host(errors, "smtp_host", data.get("smtp_host"))
    out["smtp_port"] = _clean_port(errors, "smtp_port", data.get("smtp_port"))
    out["smtp_security"] = _clean_choice(
        errors, "smtp_security", data.get("smtp_security"), Security
    )
    out["smtp_username"] = _clean_line(errors, "smtp_username", data.get("smtp_username"))
    if out["smtp_username"] and not out["smtp_host"]:
        errors.add("smtp_host", _("Enter the SMTP server's host name, or leave the user empty."))
    if (
        out["smtp_security"] == Security.NONE
        and out["smtp_host"]
        and not is_loopback(out["smtp_host"])
    ):
        errors.add(
            "smtp_security",
            _(
                "Without TLS the password and the mail cross the network readable; use TLS or "
                "STARTTLS unless the server is on this machine (localhost)."
            ),
        )

    for name in SECRET_FIELDS:
        value = data.get(name)
        if value is not None:
            out[name] = _clean_line(errors, name, value, max_length=1000)
    errors.raise_if_any()

    duplicate = Mailbox.objects.filter(address__iexact=out["address"])
    if current is not None:
        duplicate = duplicate.exclude(pk=current.pk)
    if duplicate.exists():
        raise conflict("address", _("Another mailbox already uses this address."))
    return out


def _defaults() -> dict[str, Any]:
    blank = Mailbox()
    return {name: getattr(blank, name) for name in PLAIN_FIELDS if name != "address"}


def _apply(mailbox: Mailbox, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        setattr(mailbox, name, value)  # imap_password / smtp_password: the property encrypts


@transaction.atomic
def create_mailbox(actor: Actor, **fields: Any) -> Mailbox:
    """A new mailbox; unspecified fields take the model's defaults. An alert inbox gets its
    alert account (``alert_inboxes``) in the same transaction."""
    require_admin(actor)
    check_changes(fields, allowed=FIELDS, nullable=NULLABLE)
    cleaned = _clean({**_defaults(), **fields}, current=None)
    mailbox = Mailbox()
    _apply(mailbox, cleaned)
    save_unique(mailbox, field="address", message=_("Another mailbox already uses this address."))
    sync_alert_account(actor, mailbox)
    return mailbox


@transaction.atomic
def update_mailbox(actor: Actor, *, mailbox_id: int, changes: dict[str, Any]) -> Mailbox:
    """Change the fields given; the rest keep their values. A password given as ``None``
    keeps the stored one."""
    require_admin(actor)
    check_changes(changes, allowed=FIELDS, nullable=NULLABLE)
    mailbox = get_mailbox(actor, mailbox_id)
    current = {name: getattr(mailbox, name) for name in PLAIN_FIELDS}
    cleaned = _clean({**current, **changes}, current=mailbox)
    _apply(mailbox, cleaned)
    save_unique(mailbox, field="address", message=_("Another mailbox already uses this address."))
    sync_alert_account(actor, mailbox)
    return mailbox


def deactivate_mailbox(actor: Actor, *, mailbox_id: int) -> Mailbox:
    """Stop fetching and accepting mail for this address; its tickets and settings stay."""
    require_admin(actor)
    mailbox = get_mailbox(actor, mailbox_id)
    if mailbox.active:
        mailbox.active = False
        mailbox.save(update_fields=["active", "updated_at"])
    return mailbox
