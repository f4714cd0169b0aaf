"""Every background task of the messaging app (email and the other channels), in the module
the scheduler looks for.

crontask imports ``<app>.tasks`` of each installed app, and `MessagingConfig.ready` imports
this module too: importing the task modules here registers their periodic schedules.
"""

from __future__ import annotations

from atiende.messaging.channels.tasks import process_channel_payload, sweep_channel_payloads
from atiende.messaging.inbound.tasks import process_inbound, sweep_inbound
from atiende.messaging.outbound.tasks import send_due_outbound, send_outbound
from atiende.messaging.transports.tasks import poll_imap_mailboxes, poll_mailbox

__all__ = [
    "poll_imap_mailboxes",
    "poll_mailbox",
    "process_channel_payload",
    "process_inbound",
    "send_due_outbound",
    "send_outbound",
    "sweep_channel_payloads",
    "sweep_inbound",
]
