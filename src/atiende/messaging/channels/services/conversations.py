"""A customer's message written into its conversation: the customer found or created by
identity, the message threaded into the conversation's open ticket or a new one.

Idempotent: a provider message id is written once per account (``ChannelMessage``, inbound).
Called by `processing` inside the payload's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.accounts.services import find_or_create_customer_by_identity
from atiende.core.actor import Actor
from atiende.core.errors import Invalid
from atiende.messaging.channels import store
from atiende.messaging.channels.contract import InboundMessage
from atiende.messaging.channels.services import media
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
from atiende.tickets.selectors import first_open_ticket_of_messages, opening_message
from atiende.tickets.services.intake import add_channel_message, attach_to_message

MAX_ADDRESS = 254
RECENT_MESSAGES = 20  # a conversation's newest messages looked at first (``open_conversation``)
SUBJECT_LENGTH = 80
CLOSED = (StatusCategory.CLOSED, StatusCategory.CANCELLED)


def write_message(
    actor: Actor,
    account: ChannelAccount,
    channel: str,
    event: InboundMessage,
    fetched: Sequence[media.Fetched] = (),
) -> bool:
    """Write one customer message with the media ``fetched`` for it (downloaded before the
    payload's transaction, ``media.fetch_inbound_media``); ``False`` when its provider id was
    written before."""
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
    if store.inbound_seen(account.pk, provider_id):
        return False
    body = media.message_text(event, fetched)
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
            store.insert_link(link)
    except IntegrityError:
        return False
    link.message = _post(actor, account, channel, event, customer, address, body, fetched)
    store.link_message(link)
    return True


def _post(
    actor: Actor,
    account: ChannelAccount,
    channel: str,
    event: InboundMessage,
    customer: User,
    address: str,
    body: str,
    fetched: Sequence[media.Fetched],
) -> Message:
    """Into the conversation's open ticket on this account, else a new ticket; the files
    recorded on that ticket and given to the message."""
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
                    attachment_ids=media.attach(actor, ticket_id=ticket_id, fetched=fetched),
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
    files = media.attach(actor, ticket_id=ticket.pk, fetched=fetched)
    if files:
        return attach_to_message(actor, message_id=opening_message(ticket).pk, attachment_ids=files)
    return opening_message(ticket)


def open_conversation(account: ChannelAccount, address: str) -> int | None:
    """The ticket of the newest message with ``address`` on ``account`` (either way), when
    that ticket is neither closed nor merged away.

    Asked for every payload: the conversation's newest messages first (two small statements,
    no ORM query to build); only a long history whose newest ones are all in closed tickets
    is searched whole.
    """
    newest = store.newest_message_ids(account.pk, address, RECENT_MESSAGES)
    found_recent = first_open_ticket_of_messages(newest)
    if found_recent is not None or len(newest) < RECENT_MESSAGES:
        return found_recent
    found = (
        ChannelMessage.objects.filter(account=account, address=address, message__isnull=False)
        .exclude(message__ticket__status__category__in=CLOSED)
        .filter(message__ticket__merged_into__isnull=True)
        .order_by("-id")
        .values_list("message__ticket_id", flat=True)
        .first()
    )
    return int(found) if found is not None else None


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
