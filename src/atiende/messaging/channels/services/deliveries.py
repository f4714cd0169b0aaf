"""Delivery reports of the messages we sent: their state moved forward, never back, and the
ticket's readers told (``MessageDeliveryChanged``: the live timeline shows it).

Called by `processing` inside the payload's transaction. A report names the message by the
id the provider gave when we sent it; one we do not know (sent by another tool on the same
number, or older than our records) is left alone and said so (`Applied.UNKNOWN`).
"""

from __future__ import annotations

import enum
import logging

from atiende.messaging.channels.contract import DeliveryState, DeliveryUpdate
from atiende.messaging.channels.services.sending import move
from atiende.messaging.models import ChannelAccount, ChannelDirection, ChannelMessage

logger = logging.getLogger(__name__)


class Applied(enum.StrEnum):
    MOVED = "moved"  # the message's state moved forward
    STALE = "stale"  # known, but the report is not news (a late "delivered" after "read")
    UNKNOWN = "unknown"  # no message of ours has this id


def apply_delivery(account: ChannelAccount, update: DeliveryUpdate) -> Applied:
    """Move our sent message's state forward; never back (a late "delivered" after "read")."""
    link = (
        ChannelMessage.objects.filter(
            account=account, direction=ChannelDirection.OUTBOUND, provider_id=update.provider_id
        ).first()
        if update.provider_id
        else None
    )
    if link is None:
        logger.info(
            "channel account %s: delivery report for unknown message %s (%s)",
            account.pk,
            update.provider_id,
            update.state,
        )
        return Applied.UNKNOWN
    moved = move(link, DeliveryState(update.state), reason=update.reason)
    return Applied.MOVED if moved else Applied.STALE
