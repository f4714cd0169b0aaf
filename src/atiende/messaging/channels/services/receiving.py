"""Webhook intake: the request stored raw first, then its signature checked; Meta's handshake.

Intake follows email's: `receive` commits the raw request first (a transaction of its own),
then checks its signature — a refused one stays quarantined with the reason, and
`SignatureError` goes back to the view (403). The stored row is handed to
`processing.process` (a task).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.errors import NotFound, PayloadTooLarge
from atiende.messaging import crypto
from atiende.messaging.channels import registry
from atiende.messaging.channels.contract import Incoming, SignatureError
from atiende.messaging.channels.services.reasons import MAX_REASON, describe, quarantine
from atiende.messaging.models import ChannelAccount, ChannelPayload, ChannelPayloadState

logger = logging.getLogger(__name__)

# Headers that carry a secret rather than a proof: checked on the live request, never stored.
REDACTED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-telegram-bot-api-secret-token"}
)
REDACTED = "[redacted]"


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
            raise SignatureError(describe(error)) from error
    except SignatureError as error:
        reason = _("The signature was refused: %(error)s") % {"error": error}
        quarantine(row.pk, reason)
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
