"""Queueing a mail: choose the mailbox, fix its identity and threading, enqueue the send.

Everything that identifies the mail (Message-ID, In-Reply-To, References, Thread-Index,
subject, recipients) is fixed here, in the same transaction as the row, so a retry re-sends
the very same mail and a customer's reply threads even before ours has left.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from atiende.messaging.models import (
    InboundMessage,
    Mailbox,
    OutboundEmail,
    OutboundKind,
    ThreadKey,
)
from atiende.messaging.outbound import compose, headers
from atiende.tickets.models import Message, Ticket


def mailbox_for(ticket: Ticket) -> Mailbox | None:
    """The mailbox the ticket came in through, else its group's, else the first active one.

    None means the site's default sender (``MAILERS["default"]``).
    """
    came_in = (
        InboundMessage.objects.filter(ticket=ticket, mailbox__active=True)
        .order_by("pk")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    mailboxes = Mailbox.objects.filter(active=True).order_by("pk")
    if came_in is not None:
        return mailboxes.get(pk=came_in)
    if ticket.group_id is not None:
        own = mailboxes.filter(group_id=ticket.group_id).first()
        if own is not None:
            return own
    return mailboxes.first()


# Domains reserved as examples (RFC 2606, RFC 6761): nobody receives mail there. The demo's
# customers and many test fixtures live there, so mail to them is never queued.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_SUFFIXES = (".example", ".invalid")


def deliverable(address: str) -> bool:
    """Whether mail to ``address`` can arrive anywhere (not a reserved example domain)."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if not domain:
        return False
    if domain in RESERVED_DOMAINS or any(domain.endswith("." + d) for d in RESERVED_DOMAINS):
        return False
    return not domain.endswith(RESERVED_SUFFIXES)


def is_own_address(address: str) -> bool:
    """One of our mailboxes: never mail ourselves (that is how mail loops start)."""
    return Mailbox.objects.filter(address__iexact=address.strip()).exists()


@transaction.atomic
def queue(
    ticket: Ticket,
    *,
    kind: str,
    to: list[str],
    cc: list[str] | None = None,
    message: Message | None = None,
    mailbox: Mailbox | None = None,
    effect_key: str | None = None,
) -> OutboundEmail:
    """Store one mail to send and enqueue its first attempt once this transaction commits.

    ``effect_key`` names the outbox effect that asked for it (unique: asked twice, one mail).
    """
    mailbox = mailbox if mailbox is not None else mailbox_for(ticket)
    now = timezone.now()
    if kind == OutboundKind.REPLY:
        subject = headers.tagged(ticket.subject, ticket.number, reply=True)
    else:
        rendered, _text, _html = compose.render(
            kind, ticket=ticket, mailbox=mailbox, message=message
        )
        subject = headers.tagged(rendered, ticket.number)
    in_reply_to, chain = headers.thread_chain(ticket)
    inbound_key = (
        ThreadKey.objects.filter(ticket=ticket, outbound=False)
        .exclude(thread_index="")
        .order_by("pk")
        .values_list("thread_index", flat=True)
        .first()
    )
    outbound = OutboundEmail.objects.create(
        ticket=ticket,
        ticket_message=message,
        mailbox=mailbox,
        kind=kind,
        to=to,
        cc=cc or [],
        subject=subject[:998],
        message_id=headers.new_message_id(ticket, mailbox),
        in_reply_to=in_reply_to,
        references=" ".join(chain),
        next_attempt_at=now,
        effect_key=effect_key,
    )
    ThreadKey.objects.create(
        ticket=ticket,
        message_id=outbound.message_id,
        thread_index=headers.conversation(ticket, inbound_key or ""),
        outbound=True,
    )
    transaction.on_commit(lambda: enqueue_send(outbound.pk), robust=True)
    return outbound


def enqueue_send(outbound_id: int) -> None:
    from atiende.messaging.outbound.tasks import send_outbound

    send_outbound.enqueue(outbound_id)
