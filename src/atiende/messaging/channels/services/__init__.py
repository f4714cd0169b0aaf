"""The write path of the messaging channels: accounts, webhook intake, processing.

The only writers of ``ChannelAccount``, ``ChannelPayload`` and ``ChannelMessage``, one module a
job:

- `accounts`: channel accounts created, changed and stopped (admins), their secrets;
- `receiving`: the webhook request stored raw first, then its signature checked; the
  handshake;
- `processing`: a stored payload read and written in one transaction, idempotently;
- `conversations`: a customer's message, its customer found or created by identity, threaded
  into the conversation's open ticket or a new one;
- `deliveries`: delivery reports of the messages we sent;
- `reasons`: how a failure reads, and a payload quarantined with it (shared);
- `quarantine`: an admin's retry or discard of a held payload.

Callers use the names re-exported here (``services.receive(...)``).
"""

from atiende.messaging.channels.services.accounts import (
    ACCOUNT_FIELDS,
    MAX_SETTING_NAME,
    MAX_SETTING_VALUE,
    MAX_SETTINGS,
    WEBHOOK_KEY_BYTES,
    create_account,
    deactivate_account,
    delete_account,
    new_webhook_key,
    rotate_webhook_key,
    stored_secret_names,
    update_account,
)
from atiende.messaging.channels.services.conversations import (
    CLOSED,
    MAX_ADDRESS,
    SUBJECT_LENGTH,
    open_conversation,
    subject_of,
)
from atiende.messaging.channels.services.processing import (
    Outcome,
    batch_size,
    incoming_of,
    process,
    process_batch,
    take_in_spool,
    unreadable_reason,
)
from atiende.messaging.channels.services.quarantine import HELD, discard_payload, retry_payload
from atiende.messaging.channels.services.reasons import MAX_REASON
from atiende.messaging.channels.services.receiving import (
    REDACTED,
    REDACTED_HEADERS,
    active_account,
    handshake,
    receive,
    stored_headers,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "CLOSED",
    "HELD",
    "MAX_ADDRESS",
    "MAX_REASON",
    "MAX_SETTINGS",
    "MAX_SETTING_NAME",
    "MAX_SETTING_VALUE",
    "REDACTED",
    "REDACTED_HEADERS",
    "SUBJECT_LENGTH",
    "WEBHOOK_KEY_BYTES",
    "Outcome",
    "active_account",
    "batch_size",
    "create_account",
    "deactivate_account",
    "delete_account",
    "discard_payload",
    "handshake",
    "incoming_of",
    "new_webhook_key",
    "open_conversation",
    "process",
    "process_batch",
    "receive",
    "retry_payload",
    "rotate_webhook_key",
    "stored_headers",
    "stored_secret_names",
    "subject_of",
    "take_in_spool",
    "unreadable_reason",
    "update_account",
]
