"""Quarantine actions for administrators: try again, make a ticket anyway, or throw away."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import User
from atiende.accounts.services import find_or_create_customer
from atiende.core.actor import Actor, Source
from atiende.core.errors import AtiendeError, Conflict, NotFound
from atiende.core.permissions import require_admin
from atiende.messaging.email.parse import ParseError, parse_message
from atiende.messaging.inbound import alerts
from atiende.messaging.inbound.pipeline import process, record_outcome
from atiende.messaging.inbound.writing import bodies
from atiende.messaging.models import InboundMessage, InboundState, ThreadKey
from atiende.messaging.selectors import HELD
from atiende.tickets.models import Channel
from atiende.tickets.services import open_ticket

DECIDABLE = HELD  # what an admin can decide on is exactly what the quarantine lists


def _decidable(inbound_id: int) -> InboundMessage:
    row = InboundMessage.objects.defer("raw").filter(pk=inbound_id).first()
    if row is None:
        raise NotFound(_("Unknown inbound message."))
    if row.state not in DECIDABLE:
        raise Conflict(
            _("Only quarantined or ignored messages can be handled; this one is %(state)s.")
            % {"state": row.get_state_display()}
        )
    return row


def retry_inbound(actor: Actor, *, inbound_id: int) -> InboundMessage:
    """Run the pipeline again (after a fix, or a rate limit that has passed)."""
    require_admin(actor)
    with transaction.atomic():
        row = _decidable(inbound_id)
        InboundMessage.objects.filter(pk=row.pk).update(
            state=InboundState.RECEIVED, reason="", processed_at=None
        )
    return process(row.pk)


@transaction.atomic
def create_ticket_anyway(actor: Actor, *, inbound_id: int) -> InboundMessage:
    """Open a ticket from the message whatever the pipeline thought of it.

    No classification and no threading; parsing is best effort. Without a usable sender (none,
    or a sender header that reads two ways) the admin who decided becomes the requester.
    A mail of an alert inbox is an alert, not a conversation: it goes through the alert
    intake as if processed normally (`inbound.alerts.release`), never the plain email path.
    """
    require_admin(actor)
    row = _decidable(inbound_id)
    raw = bytes(InboundMessage.objects.values_list("raw", flat=True).get(pk=row.pk))
    error = ""
    try:
        parsed = parse_message(raw)
    except (ParseError, RecursionError) as exc:
        parsed, error = None, str(exc) or type(exc).__name__
    channel = Actor(user=None, source=Source.CHANNEL, detail=f"quarantine:{actor.user_id}")
    if alerts.is_alert_inbox(row.mailbox):
        record_outcome(row, alerts.release(actor, channel, row, parsed, error))
        return row
    # A sender header that reads two ways names nobody: the deciding admin stands in.
    sender = parsed.from_ if parsed is not None and not parsed.sender_defects else None
    requester = _requester(channel, actor, sender[1] if sender else "")
    text, html = bodies(parsed) if parsed else ("", "")
    if not text.strip() or text == _("(This message has no text.)"):
        text = _("(unreadable message)")
    subject = " ".join((parsed.subject if parsed else row.subject).split())[:255]
    ticket = open_ticket(
        channel,
        subject=subject or _("(no subject)"),
        body=text,
        body_html=html,
        requester=requester,
        channel=Channel.EMAIL,
        group_id=row.mailbox.group_id if row.mailbox else None,
        external_id=parsed.message_id if parsed else "",
    )
    if parsed and parsed.message_id:
        ThreadKey.objects.create(ticket=ticket, message_id=parsed.message_id[:998])
    row.state = InboundState.PROCESSED
    row.reason = ""
    row.ticket = ticket
    row.ticket_message = ticket.messages.order_by("pk").first()
    row.processed_at = timezone.now()
    row.save(update_fields=["state", "reason", "ticket", "ticket_message", "processed_at"])
    return row


def _requester(channel: Actor, actor: Actor, address: str) -> User:
    if address:
        try:
            with transaction.atomic():
                user = find_or_create_customer(channel, email=address, field="from")
            if user.is_active:
                return user
        except AtiendeError:
            pass
    if actor.user is None:
        raise Conflict(_("The message has no usable sender; an administrator must decide."))
    return actor.user


@transaction.atomic
def discard_inbound(actor: Actor, *, inbound_id: int) -> InboundMessage:
    """Throw the message away (it stays listed as discarded, for the record)."""
    require_admin(actor)
    row = _decidable(inbound_id)
    row.state = InboundState.DISCARDED
    row.processed_at = timezone.now()
    row.save(update_fields=["state", "processed_at"])
    return row
