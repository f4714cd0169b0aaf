"""Alert inboxes: mailboxes whose mail is read as monitoring alerts (issue 16, part 6).

A mailbox marked ``alert_inbox`` keeps what the alert intake needs per monitor on a channel
account of provider ``alert_email`` (``Mailbox.alert_account``): the incidents by alert key,
the flood window, ``solve_on_recovery``. `sync_alert_account` (called by the mailbox services
in their transaction) creates it the first time and keeps its name, group and settings in
step with the mailbox afterwards; turning the inbox off keeps the account, so the incidents
are still there when it is turned on again. The account is never active: its alerts come by
mail, and its webhook URL answers 404.

``alert_senders`` is the mailbox's list of who may send alerts (an address, or ``@domain``
for any address there, one per line): `sender_allowed` is what the pipeline asks.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.messaging.channels.services.accounts import create_account, update_account
from atiende.messaging.models import ChannelProvider, Mailbox

MAX_SENDERS = 100
MAX_SENDERS_TEXT = 5_000
MAX_ACCOUNT_NAME = 200
DOMAIN_RE = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def clean_senders(value: object, field: str = "alert_senders") -> str:
    """The allowed senders as stored: lower-case, one per line, each an address or
    ``@domain``; commas and blank lines are accepted on the way in."""
    text = str(value or "")
    if len(text) > MAX_SENDERS_TEXT:
        raise Invalid.field(field, _("At most %(max)d characters.") % {"max": MAX_SENDERS_TEXT})
    entries: list[str] = []
    for raw in re.split(r"[\s,;]+", text.lower()):
        entry = raw.strip()
        if not entry:
            continue
        if not _valid_entry(entry):
            raise Invalid.field(
                field,
                _(
                    "“%(entry)s” is neither an address (nagios@example.com) nor a domain "
                    "(@example.com)."
                )
                % {"entry": entry[:100]},
            )
        if entry not in entries:
            entries.append(entry)
    if len(entries) > MAX_SENDERS:
        raise Invalid.field(field, _("At most %(max)d senders.") % {"max": MAX_SENDERS})
    return "\n".join(entries)


def _valid_entry(entry: str) -> bool:
    if entry.startswith("@"):
        return bool(DOMAIN_RE.fullmatch(entry[1:]))
    try:
        validate_email(entry)
    except ValidationError:
        return False
    return True


def allowed_senders(mailbox: Mailbox) -> list[str]:
    return [line.strip().lower() for line in mailbox.alert_senders.splitlines() if line.strip()]


def sender_allowed(mailbox: Mailbox, sender: str) -> bool:
    """Whether ``sender`` may send alerts to ``mailbox``: anyone when it lists nobody."""
    listed = allowed_senders(mailbox)
    if not listed:
        return True
    address = sender.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    return bool(address) and (address in listed or domain in listed)


def sync_alert_account(actor: Actor, mailbox: Mailbox) -> None:
    """Create the mailbox's alert account when it first becomes an alert inbox, else keep
    the account's name, group and settings in step (inside the caller's transaction)."""
    values = {
        "name": mailbox.address[:MAX_ACCOUNT_NAME],
        "group_id": mailbox.group_id,
        "settings": {"solve_on_recovery": "true" if mailbox.alert_solve_on_recovery else "false"},
    }
    if mailbox.alert_account_id is not None:
        update_account(actor, account_id=mailbox.alert_account_id, changes=values)
        return
    if not mailbox.alert_inbox:
        return
    account = create_account(
        actor,
        provider=ChannelProvider.ALERT_EMAIL,
        name=str(values["name"]),
        group_id=mailbox.group_id,
        settings={"solve_on_recovery": "true" if mailbox.alert_solve_on_recovery else "false"},
        active=False,
    )
    mailbox.alert_account = account
    mailbox.save(update_fields=["alert_account", "updated_at"])
