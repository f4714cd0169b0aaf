"""Channel data: mailboxes, raw inbound deliveries, outbound deliveries, thread keys; the other
channels' accounts, raw webhook payloads and provider message ids (``channels``)."""

from atiende.messaging.models.channels import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
    ChannelPayload,
    ChannelPayloadState,
    ChannelProvider,
)
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
    "ChannelAccount",
    "ChannelDeliveryState",
    "ChannelDirection",
    "ChannelMessage",
    "ChannelPayload",
    "ChannelPayloadState",
    "ChannelProvider",
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
