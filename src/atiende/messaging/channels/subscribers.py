"""Replies sent on the customer's channel, driven by ticket events through the outbox.

A public outbound message (an agent's reply from the web or the API, a rule's reply) promises
a send in the change's own transaction: one outbox row, keyed by the message, no read. After
the commit its handler (``services.sending.send``) decides whether the reply goes on a channel
at all (``routes.route_of``: a reply by email is the mail subscriber's) and sends it; it talks
to the provider's API, so it runs outside any transaction, under the outbox's lease.
"""

from __future__ import annotations

from atiende.core.event_types import MessageAdded
from atiende.core.events import subscribe
from atiende.messaging.channels.services import sending
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.models import Direction

SEND = "channels.send"


def send_key(message_id: int) -> str:
    """The outbox key of a message's send: one per message, so it is promised once."""
    return f"{SEND}:{message_id}"


@subscribe(MessageAdded, in_transaction=True)
def channel_send_promised(event: MessageAdded) -> None:
    if event.public and event.direction == Direction.OUTBOUND:
        enqueue(
            SEND,
            key=send_key(event.message_id),
            payload={"ticket_id": event.ticket_id, "message_id": event.message_id},
        )


@handles(SEND, atomic=False)
def send_on_channel(effect: Delivery) -> None:
    """Send the reply on its channel; ``sending.Retry`` asks the outbox to try again."""
    sending.send(effect.key, int(effect.payload["message_id"]), attempt=effect.attempt)
