"""Replies sent on the customer's channel, driven by ticket events through the outbox.

A public outbound message (an agent's reply from the web or the API, a rule's reply) promises
a send in the change's own transaction: one outbox row, keyed by the message. The route is
decided in that transaction too, once: the composer and the API write the chosen
conversation's queued OUTBOUND ``ChannelMessage`` themselves (``services.replying.reply``);
a reply written as ``web`` or ``api`` without a choice gets it from
``replying.settle_route`` here. After the commit the handler (``services.sending.send``) only
reads that row — no row, no send: the reply is the mail subscriber's — and talks to the
provider's API, outside any transaction, under the outbox's lease.
"""

from __future__ import annotations

from atiende.core.event_types import MessageAdded
from atiende.core.events import subscribe
from atiende.messaging.channels.services import replying, sending
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.models import Channel, Direction

SEND = "channels.send"
# The doors a reply is written through without naming its way: its route is decided for it.
UNROUTED = (Channel.WEB, Channel.API)


def send_key(message_id: int) -> str:
    """The outbox key of a message's send: one per message, so it is promised once."""
    return f"{SEND}:{message_id}"


@subscribe(MessageAdded, in_transaction=True)
def channel_send_promised(event: MessageAdded) -> None:
    if event.public and event.direction == Direction.OUTBOUND:
        if event.channel in UNROUTED:
            replying.settle_route(event.message_id)
        enqueue(
            SEND,
            key=send_key(event.message_id),
            payload={"ticket_id": event.ticket_id, "message_id": event.message_id},
        )


@handles(SEND, atomic=False)
def send_on_channel(effect: Delivery) -> None:
    """Send the reply on its channel; ``sending.Retry`` asks the outbox to try again."""
    sending.send(effect.key, int(effect.payload["message_id"]), attempt=effect.attempt)
