"""Mail to customers, driven by ticket events through the outbox.

Each subscriber runs inside the change's transaction and only writes an outbox row (one INSERT,
no reads); its handler decides and queues the mail after the commit, at most once per row
(the mail's ``effect_key`` is the row's key).

- A public outbound message (an agent's reply from the web, the API or by email) on a
  ticket whose requester has an email address is mailed to the requester, wrapped in the
  "agent replied" template, with the ticket's customer followers in Cc: those are the people
  the customer's own mail copied (inbound makes its To/Cc followers), so the conversation
  stays a reply-all. Staff followers are told in the app, not by mail.
- "Ticket received" goes to a customer who opened a ticket themselves, never for mail that
  was auto-generated, and at most once per customer in `RECEIVED_WINDOW`.
- A conversation on a messaging channel (WhatsApp, Telegram, SMS, Messenger, Instagram) is
  answered there, not by mail: a reply given a conversation in its own transaction
  (``channels.routes.goes_on_conversation``) is not mailed, and a ticket such a message
  opened gets no "ticket received" mail. The customer is talking in their app and sees our
  answer there; a mail to an address they may have given years ago would be a second,
  unexpected copy. The agent may still pick email for one reply (the composer's "Send by");
  then it is mailed.
- The live chat's bot answers in the widget only: its replies (chat messages with no author)
  are never mailed; the team's replies to a chat are, when the visitor has left.
- "Ticket solved" goes when the status moves into the solved category (once per solving).
- Nothing goes to our own mailboxes (loops) or to reserved example domains (the demo's
  customers, test data): see `queue.deliverable`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from atiende.accounts.models import Role
from atiende.core.events import subscribe
from atiende.messaging.channels import routes
from atiende.messaging.chat.selectors import visitor_reads_along
from atiende.messaging.models import InboundMessage, InboundSource, OutboundEmail, OutboundKind
from atiende.messaging.outbound.queue import deliverable, is_own_address, queue
from atiende.messaging.system import READER
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from atiende.tickets.models import Channel, Direction, Message, StatusCategory, Ticket
from atiende.tickets.selectors import first_message_id, message_to_deliver, visible_tickets

log = logging.getLogger(__name__)

RECEIVED_WINDOW = timedelta(minutes=10)
MAX_CC = 20


def _ticket(ticket_id: int) -> Ticket | None:
    return (
        visible_tickets(READER).select_related("requester", "status").filter(pk=ticket_id).first()
    )


def _customer_address(ticket: Ticket) -> str:
    email = (ticket.requester.email or "").strip()
    if not email or not ticket.requester.is_active:
        return ""
    if not deliverable(email) or is_own_address(email):
        return ""
    return email


def reply_recipients(ticket: Ticket) -> list[str]:
    """Who a public reply on ``ticket`` is mailed to: the requester, then customer followers
    in Cc (as ``mail_agent_reply`` sends it)."""
    address = _customer_address(ticket)
    return [address, *_customer_followers(ticket)] if address else []


def _auto_generated(ticket: Ticket) -> bool:
    """Whether the mail that opened the ticket was an auto-reply, bulk or bounce."""
    first = first_message_id(ticket.pk)
    if first is None:
        return False
    return InboundMessage.objects.filter(ticket_message_id=first, auto_generated=True).exists()


def _imported(message: Message) -> bool:
    """Whether ``message`` came from an archive import: old replies are not sent again."""
    return InboundMessage.objects.filter(
        ticket_message=message, source=InboundSource.IMPORT
    ).exists()


def _customer_followers(ticket: Ticket) -> list[str]:
    followers = ticket.followers.filter(
        role=Role.CUSTOMER, is_active=True, email__isnull=False
    ).exclude(pk=ticket.requester_id)
    found = []
    for email in followers.order_by("pk").values_list("email", flat=True)[:MAX_CC]:
        if email and deliverable(email) and not is_own_address(email):
            found.append(email)
    return found


REPLY = "mail.reply"
RECEIVED = "mail.received"
SOLVED = "mail.solved"


def _queued(key: str) -> bool:
    """Whether this effect's mail exists already (a second delivery does nothing)."""
    return OutboundEmail.objects.filter(effect_key=key).exists()


@subscribe(MessageAdded, in_transaction=True)
def reply_mail_promised(event: MessageAdded) -> None:
    if event.public and event.direction == Direction.OUTBOUND:
        enqueue(REPLY, payload={"ticket_id": event.ticket_id, "message_id": event.message_id})


@handles(REPLY)
def mail_agent_reply(effect: Delivery) -> None:
    """Mail a public agent reply to the requester, their customer followers in Cc."""
    if _queued(effect.key):
        return
    ticket = _ticket(effect.payload["ticket_id"])
    message = message_to_deliver(effect.payload["message_id"])
    if ticket is None or message is None or ticket.merged_into_id is not None:
        return
    address = _customer_address(ticket)
    if not address or message.author_id == ticket.requester_id or _imported(message):
        return
    if routes.goes_on_conversation(message.pk):
        return  # answered on the customer's channel, as decided in the reply's transaction
    if visitor_reads_along(ticket.pk):
        return  # a live chat whose visitor is connected: the reply is on their screen
    if message.channel == Channel.CHAT and message.author_id is None:
        return  # the chat's bot speaks in the widget only (the team's replies may be mailed)
    queue(
        ticket,
        kind=OutboundKind.REPLY,
        to=[address],
        cc=_customer_followers(ticket),
        message=message,
        effect_key=effect.key,
    )


@subscribe(TicketCreated, in_transaction=True)
def received_mail_promised(event: TicketCreated) -> None:
    if event.channel in routes.CONVERSATION_CHANNELS:
        return  # acknowledged in the conversation itself, not by mail (module docstring)
    by_customer = event.actor_id is None and event.source == "channel"
    opened_by_requester = event.requester_id is None or event.actor_id == event.requester_id
    if opened_by_requester or by_customer:
        enqueue(
            RECEIVED,
            payload={
                "ticket_id": event.ticket_id,
                "actor_id": event.actor_id,
                "source": event.source,
            },
        )


@handles(RECEIVED)
def mail_ticket_received(effect: Delivery) -> None:
    """Acknowledge a ticket its customer opened, at most once per ``RECEIVED_WINDOW``."""
    if _queued(effect.key):
        return
    actor_id, source = effect.payload["actor_id"], effect.payload["source"]
    ticket = _ticket(effect.payload["ticket_id"])
    if ticket is None or not ticket.requester.is_customer:
        return
    by_customer = actor_id == ticket.requester_id or (actor_id is None and source == "channel")
    address = _customer_address(ticket)
    if not by_customer or not address or _auto_generated(ticket):
        return
    recent = OutboundEmail.objects.filter(
        kind=OutboundKind.RECEIVED,
        ticket__requester_id=ticket.requester_id,
        created_at__gte=timezone.now() - RECEIVED_WINDOW,
    )
    if recent.exists():
        return
    queue(ticket, kind=OutboundKind.RECEIVED, to=[address], effect_key=effect.key)


@subscribe(TicketUpdated, in_transaction=True)
def solved_mail_promised(event: TicketUpdated) -> None:
    if "status" in event.fields:
        enqueue(SOLVED, payload={"ticket_id": event.ticket_id})


@handles(SOLVED)
def mail_ticket_solved(effect: Delivery) -> None:
    """Tell the customer their ticket was solved (once per solving)."""
    if _queued(effect.key):
        return
    ticket = _ticket(effect.payload["ticket_id"])
    if ticket is None or ticket.status.category != StatusCategory.SOLVED:
        return
    address = _customer_address(ticket)
    if not address or _auto_generated(ticket) or ticket.solved_at is None:
        return
    already = OutboundEmail.objects.filter(
        ticket=ticket, kind=OutboundKind.SOLVED, created_at__gte=ticket.solved_at
    )
    if not already.exists():
        queue(ticket, kind=OutboundKind.SOLVED, to=[address], effect_key=effect.key)
