"""The one write path for tickets: every change, from any door, goes through here."""

from atiende.tickets.services.attachments import store_attachment
from atiende.tickets.services.customers import MergePreview, merge_customers, preview_merge
from atiende.tickets.services.deleting import delete_ticket
from atiende.tickets.services.drafts import discard_draft, save_draft
from atiende.tickets.services.intake import channel_batch
from atiende.tickets.services.merging import link_tickets, merge_tickets, unlink_tickets
from atiende.tickets.services.messages import add_message
from atiende.tickets.services.opening import open_ticket
from atiende.tickets.services.replying import reply
from atiende.tickets.services.requesters import Reassigned, reassign_requester
from atiende.tickets.services.savepoints import savepoint
from atiende.tickets.services.time import log_time, start_timer, stop_timer
from atiende.tickets.services.updates import (
    assign_ticket,
    change_status,
    tag_ticket,
    update_ticket,
)

__all__ = [
    "MergePreview",
    "Reassigned",
    "add_message",
    "assign_ticket",
    "change_status",
    "channel_batch",
    "delete_ticket",
    "discard_draft",
    "link_tickets",
    "log_time",
    "merge_customers",
    "merge_tickets",
    "open_ticket",
    "preview_merge",
    "reassign_requester",
    "reply",
    "save_draft",
    "savepoint",
    "start_timer",
    "stop_timer",
    "store_attachment",
    "tag_ticket",
    "unlink_tickets",
    "update_ticket",
]
