"""What every transport does after `store_raw` returned: hand the message to processing."""

from __future__ import annotations

import logging

from atiende.messaging.inbound.tasks import process_inbound
from atiende.messaging.models import InboundMessage, InboundState

log = logging.getLogger(__name__)


def enqueue_processing(inbound: InboundMessage) -> None:
    """Enqueue processing of a stored message that still waits for it.

    A duplicate delivery of a message already processed enqueues nothing. If enqueueing
    fails the message is still safe: the inbound sweep picks up rows left ``received``.
    """
    if inbound.state != InboundState.RECEIVED:
        return
    try:
        process_inbound.enqueue(inbound.pk)
    except Exception:
        log.exception("could not enqueue processing of inbound %s", inbound.pk)
