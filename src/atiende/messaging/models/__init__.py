"""Email channel data: mailboxes, raw inbound deliveries, outbound deliveries, thread keys."""

from atiende.messaging.models.inbound import (
    MAX_STORED_BYTES,
    InboundMessage,
    InboundSource,
    InboundState,
)
from atiende.messaging.models.mailbox import (
    AfterFetch,
    InboundMethod,
    Mailbox,
    Security,
)
from atiende.messaging.models.outbound import (
    DeliveryState,
    NotificationTemplate,
    OutboundEmail,
    OutboundKind,
    ThreadKey,
)

__all__ = [
    "MAX_STORED_BYTES",
    "AfterFetch",
    "DeliveryState",
    "InboundMessage",
    "InboundMethod",
    "InboundSource",
    "InboundState",
    "Mailbox",
    "NotificationTemplate",
    "OutboundEmail",
    "OutboundKind",
    "Security",
    "ThreadKey",
]
