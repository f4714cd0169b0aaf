"""The write path of the messaging channels: accounts, webhook intake, processing.

The only writers of ``ChannelAccount``, ``ChannelPayload`` and ``ChannelMessage``. Intake
follows email's: `receive` commits the raw request first (a transaction of its own), then
checks its signature — a refused one stays quarantined with the reason, and `SignatureError`
goes back to the view (403). `process` reads the stored payload with the provider's adapter
and writes everything it says in ONE transaction: customers found or created by identity,
messages threaded into the conversation's open ticket or a new one, delivery reports. It is
idempotent (a provider message id is written once per account) and never raises for bad
input: a payload the adapter cannot read, or one the ticket services refuse, is quarantined
with the reason, naming the field.
"""

from __future__ import annotations

import logging
import secrets as random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atiende.accounts.models import Group, User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core import transient
from atiende.core.actor import Actor, Source
from atiende.core.errors import (
    AtiendeError,
    ErrorCollector,
    Invalid,
    NotFound,
    PayloadTooLarge,
)
from atiende.core.permissions import require_admin
from atiende.core.services import check_changes, clean_name
from atiende.core.text import clean_text
from atiende.messaging import crypto
from atiende.messaging.channels import registry
from atiende.messaging.channels.contract import (
    DELIVERY_ORDER,
    DeliveryState,
    DeliveryUpdate,
    Event,
    InboundMessage,
    Incoming,
    Media,
    PayloadError,
    SignatureError,
)
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
    ChannelPayload,
    ChannelPayloadState,
    ChannelProvider,
)
from atiende.messaging.models.channels import MAX_PROVIDER_ID
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketClosed
from atiende.tickets.models import Channel, Message, StatusCategory
from atiende.tickets.selectors import opening_message
from atiende.tickets.services.intake import add_channel_message

logger = logging.getLogger(__name__)

WEBHOOK_KEY_BYTES = 32  # 43 url-safe characters: not guessable, fits the column
MAX_SETTINGS = 50
MAX_SETTING_NAME = 64
MAX_SETTING_VALUE = 2_000
MAX_REASON = 2_000
MAX_ADDRESS = 254
SUBJECT_LENGTH = 80
CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)
# Headers that carry a secret rather than a proof: checked on the live request, never stored.
REDACTED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-telegram-bot-api-secret-token"}
)
REDACTED = "[redacted]"
ACCOUNT_FIELDS = {"name", "group_id", "settings", "secrets", "active"}


# --- accounts -------------------------------------------------------------------------------


@transaction.atomic
def create_account(
    actor: Actor,
    *,
    provider: str,
    name: str,
    group_id: int | None = None,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, Any] | None = None,
    active: bool = True,
) -> ChannelAccount:
    """A new account of ``provider`` (admins only), with a fresh random webhook key."""
    require_admin(actor)
    errors = ErrorCollector()
    if provider not in ChannelProvider.values:
        errors.add("provider", _("Unknown provider."))
    cleaned_name = _collect(errors, lambda: _clean_name(name))
    group = _collect(errors, lambda: _clean_group(group_id))
    cleaned_settings = _collect(errors, lambda: _clean_values(settings or {}, "settings"))
    cleaned_secrets = _collect(errors, lambda: _clean_values(secrets or {}, "secrets"))
    errors.raise_if_any()
    account = ChannelAccount(
        provider=provider,
        name=cleaned_name or "",
        group=group,
        settings=cleaned_settings or {},
        secrets=registry.encrypt_secrets(cleaned_secrets or {}),
        webhook_key=new_webhook_key(),
        active=bool(active),
    )
    account.save()
    return account


@transaction.atomic
def update_account(actor: Actor, *, account_id: int, changes: Mapping[str, Any]) -> ChannelAccount:
    """Change the given fields (admins only).

    ``settings`` replaces the settings. ``secrets`` is merged into the stored ones, which are
    never shown back: a name given a value sets it, a name given ``""`` or ``None`` removes it.
    """
    require_admin(actor)
    changes = dict(changes)
    check_changes(changes, allowed=ACCOUNT_FIELDS, nullable={"group_id"})
    account = _lock_account(account_id)
    errors = ErrorCollector()
    if "name" in changes:
        account.name = _collect(errors, lambda: _clean_name(changes["name"])) or account.name
    if "group_id" in changes:
        account.group = _collect(errors, lambda: _clean_group(changes["group_id"]))
    if "settings" in changes:
        account.settings = _collect(errors, lambda: _clean_values(changes["settings"], "settings"))
    if "secrets" in changes:
        given = changes["secrets"]
        if not isinstance(given, Mapping):
            errors.add("secrets", _("Give the secrets as an object of names and values."))
        else:
            removed = {name for name, value in given.items() if value in ("", None)}
            kept = {name: value for name, value in given.items() if name not in removed}
            merged = _collect(errors, lambda: _clean_values(kept, "secrets"))
            if merged is not None:
                current = _stored_secrets(account)
                current.update(merged)
                for name in removed:
                    current.pop(str(name), None)
                account.secrets = registry.encrypt_secrets(current)
    if "active" in changes:
        if not isinstance(changes["active"], bool):
            errors.add("active", _("Give true or false."))
        else:
            account.active = changes["active"]
    errors.raise_if_any()
    account.save()
    return account


def deactivate_account(actor: Actor, *, account_id: int) -> ChannelAccount:
    """Stop an account: its webhook answers 404 from now on (admins only). Its payloads and
    messages stay."""
    return update_account(actor, account_id=account_id, changes={"active": False})


def new_webhook_key() -> str:
    return random.token_urlsafe(WEBHOOK_KEY_BYTES)


def _lock_account(account_id: int) -> ChannelAccount:
    account = ChannelAccount.objects.select_for_update().filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Channel account not found."))
    return account


def _collect[T](errors: ErrorCollector, clean: Callable[[], T]) -> T | None:
    """``clean()``, its ``Invalid`` field errors added to ``errors`` (then ``None``)."""
    try:
        return clean()
    except Invalid as error:
        errors.errors.extend(error.errors)
        return None


def _clean_name(value: object) -> str:
    if not isinstance(value, str):
        raise Invalid.field("name", _("This field is required."))
    return clean_name(value, "name", max_length=200, required=True)


def _clean_group(group_id: object) -> Group | None:
    if group_id is None:
        return None
    group = (
        Group.objects.filter(pk=group_id).first()
        if isinstance(group_id, int) and not isinstance(group_id, bool)
        else None
    )
    if group is None:
        raise Invalid.field("group_id", _("Unknown group."))
    return group


def _clean_values(values: object, field: str) -> dict[str, str]:
    """A flat object of text values (numbers are written as text), each named and bounded."""
    if not isinstance(values, Mapping):
        raise Invalid.field(field, _("Give an object of names and values."))
    if len(values) > MAX_SETTINGS:
        raise Invalid.field(field, _("At most %(max)d entries.") % {"max": MAX_SETTINGS})
    errors = ErrorCollector()
    cleaned: dict[str, str] = {}
    for name, value in values.items():
        where = f"{field}.{str(name)[:MAX_SETTING_NAME]}"
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_SETTING_NAME:
            errors.add(where, _("A name of 1 to %(max)d characters.") % {"max": MAX_SETTING_NAME})
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            errors.add(where, _("Give text."))
            continue
        text = clean_text(str(value)).strip()
        if len(text) > MAX_SETTING_VALUE:
            errors.add(where, _("At most %(max)d characters.") % {"max": MAX_SETTING_VALUE})
            continue
        cleaned[name.strip()] = text
    errors.raise_if_any()
    return cleaned


def _stored_secrets(account: ChannelAccount) -> dict[str, str]:
    try:
        return registry.decrypt_secrets(account.secrets)
    except (crypto.SecretUnreadable, ValueError):
        return {}  # unreadable with today's keys: replaced by what the admin gives now


# --- receiving ------------------------------------------------------------------------------


def active_account(webhook_key: str) -> ChannelAccount:
    """The active account behind a webhook key; ``NotFound`` for an unknown or inactive one
    (they look alike to the caller)."""
    if not webhook_key or len(webhook_key) > 64:
        raise NotFound(_("Unknown webhook."))
    account = ChannelAccount.objects.filter(webhook_key=webhook_key, active=True).first()
    if account is None:
        raise NotFound(_("Unknown webhook."))
    return account


def receive(webhook_key: str, incoming: Incoming) -> ChannelPayload:
    """Commit the request as received, then check the provider signed it.

    Raises ``NotFound`` for an unknown or inactive key (nothing stored: anyone can post to a
    guessed URL), ``PayloadTooLarge`` over the provider's limit (nothing stored), and
    ``SignatureError`` when the signature is missing or wrong (the row stays, quarantined with
    the reason). A row returned is ``received``: hand it to `process` (a task).
    """
    account = active_account(webhook_key)
    limit = registry.max_body(account.provider)
    if len(incoming.body) > limit:
        raise PayloadTooLarge(_("The request is larger than %(limit)d bytes.") % {"limit": limit})
    row = ChannelPayload(
        account=account,
        method=incoming.method.upper()[:8],
        url=incoming.url,
        headers=stored_headers(incoming.headers),
        query={str(k): str(v) for k, v in incoming.query.items()},
        body=incoming.body,
        received_at=incoming.received_at or timezone.now(),
    )
    with transaction.atomic(durable=True):
        row.save()
    try:
        try:
            config = registry.config_for(account)
        except (crypto.SecretUnreadable, ValueError) as error:
            raise SignatureError(
                _("The account's secrets cannot be read with the configured keys.")
            ) from error
        try:
            registry.reader(account.provider).verify(config, incoming)
        except SignatureError:
            raise
        except Exception as error:  # a checker's bug must never let a request through
            logger.exception("channel payload %s: the signature check failed", row.pk)
            raise SignatureError(_describe(error)) from error
    except SignatureError as error:
        reason = _("The signature was refused: %(error)s") % {"error": error}
        _quarantine(row.pk, reason)
        row.state, row.reason = ChannelPayloadState.QUARANTINED, reason[:MAX_REASON]
        raise
    row.verified_at = timezone.now()
    ChannelPayload.objects.filter(pk=row.pk).update(verified_at=row.verified_at)
    return row


def handshake(webhook_key: str, query: Mapping[str, str]) -> str:
    """The challenge to echo to Meta's ``GET`` check of the webhook URL.

    ``NotFound`` for an unknown key or a provider that makes no such check; ``SignatureError``
    (403) when the verify token is wrong.
    """
    account = active_account(webhook_key)
    check = registry.HANDSHAKES.get(account.provider)
    if check is None:
        raise NotFound(_("Unknown webhook."))
    try:
        config = registry.config_for(account)
    except (crypto.SecretUnreadable, ValueError) as error:
        raise SignatureError(str(error)) from error
    return check(config, query)


def stored_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as stored: names lower-cased, secrets replaced by ``[redacted]``."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        kept[lowered] = REDACTED if lowered in REDACTED_HEADERS else str(value)
    return kept


# --- processing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    state: ChannelPayloadState
    reason: str = ""


def process(payload_id: int) -> ChannelPayload:
    """Process one stored payload (if still ``received``) and return its row.

    Idempotent and never raises for bad input; redoes the whole transaction on a deadlock
    (``core.transient``) when it owns it.
    """
    row = ChannelPayload.objects.select_related("account").filter(pk=payload_id).first()
    if row is None:
        raise NotFound(_("Unknown channel payload."))
    owner = not connection.in_atomic_block
    for attempt in range(1, transient.ATTEMPTS + 1):
        try:
            return _process(row)
        except Exception as exc:
            if not owner or attempt == transient.ATTEMPTS or not transient.is_transient(exc):
                raise
            logger.warning("channel payload %s: %s; redoing it", row.pk, exc)
    raise AssertionError("unreachable")


def _process(row: ChannelPayload) -> ChannelPayload:
    if row.state != ChannelPayloadState.RECEIVED:
        return row
    if row.verified_at is None:
        return _quarantined(
            row, _("The signature was never checked: the request was cut short after storing it.")
        )
    account = row.account
    # Reading is pure and outside the transaction (on SQLite a transaction holds the lock).
    try:
        adapter = registry.reader(account.provider)
        events = adapter.read(registry.config_for(account), incoming_of(row))
    except PayloadError as error:
        return _quarantined(row, unreadable_reason(error))
    except Exception as error:
        logger.exception("channel payload %s could not be read", row.pk)
        return _quarantined(row, _("Reading failed: %(error)s") % {"error": _describe(error)})
    try:
        with transaction.atomic():
            current = ChannelPayload.objects.select_for_update().only("state").get(pk=row.pk)
            if current.state != ChannelPayloadState.RECEIVED:
                return _reload(row.pk)  # another worker got there first
            try:
                # A refusal rolls back whatever this payload half-wrote, tally moves included.
                with transaction.atomic(), tickets.channel_batch():
                    outcome = _write(account, adapter.channel, events)
            except AtiendeError as error:
                outcome = Outcome(ChannelPayloadState.QUARANTINED, _describe(error))
            _finish(row, outcome)
    except Exception as error:
        if transient.is_transient(error):
            raise
        logger.exception("channel payload %s could not be processed", row.pk)
        return _quarantined(row, _("Processing failed: %(error)s") % {"error": _describe(error)})
    return row


def incoming_of(row: ChannelPayload) -> Incoming:
    """The stored request as the adapters read it (secret headers redacted)."""
    return Incoming(
        method=row.method,
        url=row.url,
        headers=dict(row.headers or {}),
        body=bytes(row.body),
        query=dict(row.query or {}),
        received_at=row.received_at,
    )


def unreadable_reason(error: PayloadError) -> str:
    if error.field:
        return _("The payload is not what the provider sends (%(field)s): %(error)s") % {
            "field": error.field,
            "error": error,
        }
    return _("The payload is not what the provider sends: %(error)s") % {"error": error}


def _write(account: ChannelAccount, channel: str, events: list[Event]) -> Outcome:
    actor = Actor(user=None, source=Source.CHANNEL, detail=f"{account.provider}:{account.pk}")
    written = repeated = reports = 0
    unhandled: list[str] = []
    for event in events:
        if isinstance(event, InboundMessage):
            if _write_message(actor, account, channel, event):
                written += 1
            else:
                repeated += 1
        elif isinstance(event, DeliveryUpdate):
            reports += 1
            _apply_delivery(account, event)
        else:
            unhandled.append(str(event.kind))
    reasons = []
    if repeated:
        reasons.append(
            ngettext(
                "%(count)d message had already been written.",
                "%(count)d messages had already been written.",
                repeated,
            )
            % {"count": repeated}
        )
    if unhandled:
        reasons.append(
            _("Not handled yet: %(kinds)s.") % {"kinds": ", ".join(sorted(set(unhandled)))}
        )
    if written or reports:
        return Outcome(ChannelPayloadState.PROCESSED, " ".join(reasons))
    if not events:
        reasons.append(_("The payload holds no message and no delivery report."))
    return Outcome(ChannelPayloadState.IGNORED, " ".join(reasons))


def _write_message(
    actor: Actor, account: ChannelAccount, channel: str, event: InboundMessage
) -> bool:
    """Write one customer message; ``False`` when its provider id was written before."""
    provider_id = event.provider_id.strip()
    if not provider_id or len(provider_id) > MAX_PROVIDER_ID:
        raise Invalid.field(
            "provider_id",
            _("The provider's message id must be 1 to %(max)d characters.")
            % {"max": MAX_PROVIDER_ID},
        )
    address = event.sender.address.strip()
    if not address or len(address) > MAX_ADDRESS:
        raise Invalid.field(
            "sender",
            _("The sender's address must be 1 to %(max)d characters.") % {"max": MAX_ADDRESS},
        )
    inbound = ChannelMessage.objects.filter(
        account=account, direction=ChannelDirection.INBOUND, provider_id=provider_id
    )
    if inbound.exists():
        return False
    body = message_text(event)
    customer = find_or_create_customer_by_identity(
        actor,
        channel=event.sender.channel,
        address=address,
        name=event.sender.name,
        text=event.text,
    )
    if not customer.is_active:
        raise Invalid.field(
            "sender", _("The sender %(address)s is suspended.") % {"address": address}
        )
    link = ChannelMessage(
        account=account,
        direction=ChannelDirection.INBOUND,
        provider_id=provider_id,
        address=address,
        state=ChannelDeliveryState.DELIVERED,
    )
    try:
        with transaction.atomic():  # claimed first: a concurrent worker's copy waits, then skips
            link.save()
    except IntegrityError:
        return False
    link.message = _post(actor, account, channel, event, customer, address, body)
    link.save(update_fields=["message", "updated_at"])
    return True


def _post(
    actor: Actor,
    account: ChannelAccount,
    channel: str,
    event: InboundMessage,
    customer: User,
    address: str,
    body: str,
) -> Message:
    """Into the conversation's open ticket on this account, else a new ticket."""
    ticket_id = open_conversation(account, address)
    if ticket_id is not None:
        try:
            with transaction.atomic():
                return add_channel_message(
                    actor,
                    ticket_id=ticket_id,
                    author=customer,
                    body=body,
                    channel_name=channel,
                    external_id=event.provider_id,
                )
        except TicketClosed:
            pass  # closed a moment ago: a new ticket, as below
    ticket = tickets.open_ticket(
        actor,
        subject=subject_of(event, channel),
        body=body,
        requester=customer,
        channel=channel,
        group_id=account.group_id,
        external_id=event.provider_id,
    )
    return opening_message(ticket)


def open_conversation(account: ChannelAccount, address: str) -> int | None:
    """The ticket of the newest message with ``address`` on ``account`` (either way), when
    that ticket is neither closed nor merged away."""
    found = (
        ChannelMessage.objects.filter(account=account, address=address, message__isnull=False)
        .exclude(message__ticket__status__category__in=CLOSED)
        .filter(message__ticket__merged_into__isnull=True)
        .order_by("-id")
        .values_list("message__ticket_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def message_text(event: InboundMessage) -> str:
    """The text, and a line for each attachment (not downloaded yet: nothing silently lost)."""
    lines = [event.text.strip()] if event.text.strip() else []
    for medium in event.media:
        lines.append(attachment_line(medium))
    return "\n".join(lines) or _("(This message has no text.)")


def attachment_line(medium: Media) -> str:
    return _("[Attachment not downloaded yet: %(name)s (%(type)s)]") % {
        "name": medium.filename or _("unnamed file"),
        "type": medium.content_type or _("unknown type"),
    }


def subject_of(event: InboundMessage, channel: str) -> str:
    """The first line of the text, cut to ~80 characters; else "WhatsApp conversation with
    Lucía"."""
    for line in event.text.splitlines():
        words = " ".join(line.split())
        if words:
            if len(words) <= SUBJECT_LENGTH:
                return words
            return words[: SUBJECT_LENGTH - 1].rstrip() + "…"
    label = Channel(channel).label if channel in Channel.values else channel
    return _("%(channel)s conversation with %(name)s") % {
        "channel": label,
        "name": event.sender.name or event.sender.address,
    }


def _apply_delivery(account: ChannelAccount, update: DeliveryUpdate) -> bool:
    """Move our sent message's state forward; never back (a late "delivered" after "read")."""
    if not update.provider_id:
        return False
    link = (
        ChannelMessage.objects.select_for_update()
        .filter(
            account=account, direction=ChannelDirection.OUTBOUND, provider_id=update.provider_id
        )
        .first()
    )
    if link is None:
        logger.info(
            "channel account %s: delivery report for unknown message %s (%s)",
            account.pk,
            update.provider_id,
            update.state,
        )
        return False
    new = DeliveryState(update.state)
    if DELIVERY_ORDER[new] <= DELIVERY_ORDER[DeliveryState(link.state)]:
        return False
    link.state = ChannelDeliveryState(new.value)
    fields = ["state", "updated_at"]
    if update.reason:
        link.reason = update.reason[:MAX_REASON]
        fields.append("reason")
    link.save(update_fields=fields)
    return True


def _finish(row: ChannelPayload, outcome: Outcome) -> None:
    row.state = outcome.state
    row.reason = outcome.reason[:MAX_REASON]
    row.processed_at = timezone.now()
    row.attempts += 1
    row.save(update_fields=["state", "reason", "processed_at", "attempts"])


def _quarantine(row_id: int, reason: str) -> None:
    """Record a failure in its own statement (a failed transaction was rolled back)."""
    ChannelPayload.objects.filter(pk=row_id, state=ChannelPayloadState.RECEIVED).update(
        state=ChannelPayloadState.QUARANTINED,
        reason=reason[:MAX_REASON],
        processed_at=timezone.now(),
    )


def _quarantined(row: ChannelPayload, reason: str) -> ChannelPayload:
    _quarantine(row.pk, reason)
    return _reload(row.pk)


def _reload(row_id: int) -> ChannelPayload:
    return ChannelPayload.objects.select_related("account").get(pk=row_id)


def _describe(exc: BaseException) -> str:
    """One readable line: a service error's message and its fields, else the type."""
    if isinstance(exc, AtiendeError):
        details = "; ".join(
            f"{e.field}: {e.message}" for e in exc.errors if str(e.message) != str(exc.detail)
        )
        fields = ", ".join(e.field for e in exc.errors)
        text = f"{exc.detail} {details}" if details else str(exc.detail)
        if fields and not details:
            text = f"{text} ({fields})"
        return " ".join(text.split())
    return " ".join(f"{type(exc).__name__}: {exc}".split())
