"""A customer's message written into its conversation: the customer found or created by
identity, the message threaded into the conversation's open ticket or a new one.

Idempotent: a provider message id is written once per account (``ChannelMessage``, inbound).
Called by `processing` inside the payload's transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.messaging.channels.contract import InboundMessage, Media
from atiende.messaging.models import (
    ChannelAccount,
    ChannelDeliveryState,
    ChannelDirection,
    ChannelMessage,
)
from atiende.messaging.models.channels import MAX_PROVIDER_ID
from atiende.tickets import services as tickets
from atiende.tickets.errors import TicketClosed
from atiende.tickets.models import Channel, Message, StatusCategory
from atiende.tickets.selectors import opening_message
from atiende.tickets.services.intake import add_channel_message

MAX_ADDRESS = 254
SUBJECT_LENGTH = 80
CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)


def write_message(
    actor: Actor, account: ChannelAccount, channel: str, event: InboundMessage
) -> bool:
    """Write one customer message; ``False`` when its provider id was written before."""
    provider_id = event.provider_id.strip()
    if not provider_id or len(provider_id) > MAX_PROVIDER_ID:
        raise Invalid.field(
            "provider_id",
            _("The provider's message id must be 1 to %(max)d characters.")
            % {"max": MAX_PROVIDER_ID},
        )
    address = event.sender.address.strip()
    if not address or len(address) > MAX_ADDRESS:
        raise Invalid.field(
            "sender",
            _("The sender's address must be 1 to %(max)d characters.") % {"max": MAX_ADDRESS},
        )
    inbound = ChannelMessage.objects.filter(
        account=account, direction=ChannelDirection.INBOUND, provider_id=provider_id
    )
    if inbound.exists():
        return False
    body = message_text(event)
    customer = find_or_create_customer_by_identity(
        actor,
        channel=event.sender.channel,
        address=address,
        name=event.sender.name,
        text=event.text,
    )
    if not customer.is_active:
        raise Invalid.field(
            "sender", _("The sender %(address)s is suspended.") % {"address": address}
        )
    link = ChannelMessage(
        account=account,
        direction=ChannelDirection.INBOUND,
        provider_id=provider_id,
        address=address,
        state=ChannelDeliveryState.DELIVERED,
    )
    try:
        with transaction.atomic():  # claimed first: a concurrent worker's copy waits, then skips
            link.save()
    except IntegrityError:
        return False
    link.message = _post(actor, account, channel, event, customer, address, body)
    link.save(update_fields=["message", "updated_at"])
    return True


def _post(
    actor: Actor,
    account: ChannelAccount,
    channel: str,
    event: InboundMessage,
    customer: User,
    address: str,
    body: str,
) -> Message:
    """Into the conversation's open ticket on this account, else a new ticket."""
    ticket_id = open_conversation(account, address)
    if ticket_id is not None:
        try:
            with transaction.atomic():
                return add_channel_message(
                    actor,
                    ticket_id=ticket_id,
                    author=customer,
                    body=body,
                    channel_name=channel,
                    external_id=event.provider_id,
                )
        except TicketClosed:
            pass  # closed a moment ago: a new ticket, as below
    ticket = tickets.open_ticket(
        actor,
        subject=subject_of(event, channel),
        body=body,
        requester=customer,
        channel=channel,
        group_id=account.group_id,
        external_id=event.provider_id,
    )
    return opening_message(ticket)


def open_conversation(account: ChannelAccount, address: str) -> int | None:
    """The ticket of the newest message with ``address`` on ``account`` (either way), when
    that ticket is neither closed nor merged away."""
    found = (
        ChannelMessage.objects.filter(account=account, address=address, message__isnull=False)
        .exclude(message__ticket__status__category__in=CLOSED)
        .filter(message__ticket__merged_into__isnull=True)
        .order_by("-id")
        .values_list("message__ticket_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


def message_text(event: InboundMessage) -> str:
    """The text, and a line for each attachment (not downloaded yet: nothing silently lost)."""
    lines = [event.text.strip()] if event.text.strip() else []
    for medium in event.media:
        lines.append(attachment_line(medium))
    return "\n".join(lines) or _("(This message has no text.)")


def attachment_line(medium: Media) -> str:
    return _("[Attachment not downloaded yet: %(name)s (%(type)s)]") % {
        "name": medium.filename or _("unnamed file"),
        "type": medium.content_type or _("unknown type"),
    }


def subject_of(event: InboundMessage, channel: str) -> str:
    """The first line of the text, cut to ~80 characters; else "WhatsApp conversation with
    Lucía"."""
    for line in event.text.splitlines():
        words = " ".join(line.split())
        if words:
            if len(words) <= SUBJECT_LENGTH:
                return words
            return words[: SUBJECT_LENGTH - 1].rstrip() + "…"
    label = Channel(channel).label if channel in Channel.values else channel
    return _("%(channel)s conversation with %(name)s") % {
        "channel": label,
        "name": event.sender.name or event.sender.address,
    }
