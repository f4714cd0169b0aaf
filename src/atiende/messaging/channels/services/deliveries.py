"""Delivery reports of the messages we sent: their state moved forward, never back.

Called by `processing` inside the payload's transaction.
"""

from __future__ import annotations

import logging

from atiende.messaging.channels.contract import DELIVERY_ORDER, DeliveryState, DeliveryUpdate
from atiende.messaging.channels.services.reasons import MAX_REASON
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
)

logger = logging.getLogger(__name__)


def apply_delivery(account: ChannelAccount, update: DeliveryUpdate) -> bool:
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
