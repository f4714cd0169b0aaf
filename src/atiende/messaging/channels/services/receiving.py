"""Webhook intake: the request checked in memory, then stored raw with the verdict by ONE
statement; Meta's handshake.

`receive` checks the signature on the live request first (pure, nothing written), then INSERTs
the raw request once, with its verdict: signed → ``received`` with ``verified_at``; refused →
``quarantined`` with the reason (`SignatureError` then goes back to the view, 403). The INSERT
is its own transaction. A crash before that commit means no 200, and the provider sends the
request again; after it the row is safe, and the caller asks for its processing
(`channels.tasks.enqueue_processing`; the minute's sweep takes a row a crash left without).

On the embedded database a signed request is written to the spool instead (``channels.spool``,
durable before the 200, no write lock), and the worker takes it in as its row; a refused one
is still a row at once, for the admin to see.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.core.errors import NotFound, PayloadTooLarge
from atiende.messaging import crypto
from atiende.messaging.channels import registry, spool, store
from atiende.messaging.channels.contract import Incoming, SignatureError
from atiende.messaging.channels.services.reasons import MAX_REASON, describe
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
    account = store.account_by_webhook_key(webhook_key)
    if account is None:
        raise NotFound(_("Unknown webhook."))
    return account


def receive(webhook_key: str, incoming: Incoming) -> ChannelPayload:
    """Check the provider signed the request, then store it raw with that verdict (one
    statement, committed when this returns or raises).

    Raises ``NotFound`` for an unknown or inactive key (nothing stored: anyone can post to a
    guessed URL), ``PayloadTooLarge`` over the provider's limit (nothing stored), and
    ``SignatureError`` when the signature is missing or wrong (the row is stored quarantined
    with the reason). A row returned is ``received``: saved, or spooled (``spool_key`` set, no
    primary key yet).
    """
    account = active_account(webhook_key)
    limit = registry.max_body(account.provider)
    if len(incoming.body) > limit:
        raise PayloadTooLarge(_("The request is larger than %(limit)d bytes.") % {"limit": limit})
    refusal = _refusal(account, incoming)
    row = ChannelPayload(
        account=account,
        method=incoming.method.upper()[:8],
        url=incoming.url,
        headers=stored_headers(incoming.headers),
        query={str(k): str(v) for k, v in incoming.query.items()},
        body=incoming.body,
        received_at=incoming.received_at or timezone.now(),
    )
    if refusal is None:
        row.verified_at = timezone.now()
    else:
        reason = _("The signature was refused: %(error)s") % {"error": refusal}
        row.state, row.reason = ChannelPayloadState.QUARANTINED, reason[:MAX_REASON]
        row.processed_at = timezone.now()
    into = spool.directory()
    if refusal is None and into is not None:
        row.spool_key = spool.write(row, into)
        return row
    with transaction.atomic(durable=True):  # one statement; durable: never inside another
        store.insert_payload(row)
    if refusal is not None:
        raise refusal
    return row


def _refusal(account: ChannelAccount, incoming: Incoming) -> SignatureError | None:
    """Why the request is refused (missing or wrong signature, unreadable secrets, a crashing
    checker: a checker's bug must never let a request through), or ``None`` when signed."""
    try:
        config = registry.config_for(account)
    except (crypto.SecretUnreadable, ValueError) as error:
        unreadable = SignatureError(
            _("The account's secrets cannot be read with the configured keys.")
        )
        unreadable.__cause__ = error
        return unreadable
    try:
        registry.reader(account.provider).verify(config, incoming)
    except SignatureError as error:
        return error
    except Exception as error:
        logger.exception("channel account %s: the signature check failed", account.pk)
        crashed = SignatureError(describe(error))
        crashed.__cause__ = error
        return crashed
    return None


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
