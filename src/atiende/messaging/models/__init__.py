"""Channel data: mailboxes, raw inbound deliveries, outbound deliveries, thread keys; the other
channels' accounts, raw webhook payloads and provider message ids (``channels``)."""

from atiende.messaging.models.alerts import AlertIncident, AlertIncidentState
from atiende.messaging.models.calls import CALL_STATE_ORDER, Call, CallDirection, CallState
from atiende.messaging.models.channels import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
    ChannelPayload,
    ChannelPayloadState,
    ChannelProvider,
)
from atiende.messaging.models.chat import (
    ChatHandler,
    ChatReceipt,
    ChatSession,
    ChatState,
    ChatWidget,
)
from atiende.messaging.models.chat_bot import (
    BotConversation,
    BotOutcome,
    BotOutcomeKind,
    BotStage,
    HandoverReason,
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
    "CALL_STATE_ORDER",
    "MAX_STORED_BYTES",
    "AfterFetch",
    "AlertIncident",
    "AlertIncidentState",
    "BotConversation",
    "BotOutcome",
    "BotOutcomeKind",
    "BotStage",
    "Call",
    "CallDirection",
    "CallState",
    "ChannelAccount",
    "ChannelDeliveryState",
    "ChannelDirection",
    "ChannelMessage",
    "ChannelPayload",
    "ChannelPayloadState",
    "ChannelProvider",
    "ChatHandler",
    "ChatReceipt",
    "ChatSession",
    "ChatState",
    "ChatWidget",
    "DeliveryState",
    "HandoverReason",
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
