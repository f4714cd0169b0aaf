"""What agents may do with outbound mail: send a failed one again (web and API alike)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atiende.core.actor import Actor
from atiende.core.errors import Conflict, NotFound
from atiende.core.permissions import require_staff
from atiende.messaging.models import DeliveryState, OutboundEmail
from atiende.messaging.outbound import states
from atiende.messaging.outbound.queue import enqueue_send
from atiende.tickets.selectors import get_ticket, visible_messages, visible_tickets


class OutboundEmailNotFound(NotFound):
    code = "outbound_email_not_found"
    title = gettext_lazy("Outgoing email not found")


class NotFailed(Conflict):
    code = "outbound_email_not_failed"
    title = gettext_lazy("Only a failed email can be sent again")


@transaction.atomic
def retry_outbound(actor: Actor, *, outbound_id: int) -> OutboundEmail:
    """Queue a FAILED mail again with a fresh set of attempts (agents who see its ticket)."""
    require_staff(actor)
    row = (
        OutboundEmail.objects.select_for_update()
        .filter(pk=outbound_id, ticket__in=visible_tickets(actor).values("pk"))
        .first()
    )
    if row is None:
        raise OutboundEmailNotFound()
    if row.state != DeliveryState.FAILED:
        raise NotFailed(
            _("This email is %(state)s; only a failed email can be sent again.")
            % {"state": row.get_state_display()}
        )
    row.state = DeliveryState.QUEUED
    row.attempts = 0
    row.reason = ""
    row.next_attempt_at = timezone.now()
    states.record(
        row.pk,
        DeliveryState.QUEUED,
        actor=actor,
        attempts=0,
        reason="",
        next_attempt_at=row.next_attempt_at,
    )
    transaction.on_commit(lambda: enqueue_send(row.pk), robust=True)
    return row


@transaction.atomic
def retry_message_delivery(actor: Actor, *, ticket_id: int, message_id: int) -> OutboundEmail:
    """Queue again the latest email of a message on a ticket the caller sees, if it failed.

    The ticket page and ``POST /tickets/{id}/messages/{id}/retry-delivery`` both come here:
    a message not on the ticket, or never sent by email, is ``NotFound``; an email that is
    queued or sent is ``NotFailed``.
    """
    require_staff(actor)
    ticket = get_ticket(actor, ticket_id)
    message = visible_messages(actor, ticket).filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Message not found."))
    latest = (
        OutboundEmail.objects.filter(ticket_message=message).order_by("-created_at", "-pk").first()
    )
    if latest is None:
        raise NotFound(_("This message was not sent by email."))
    row = retry_outbound(actor, outbound_id=latest.pk)
    row.ticket_message = message
    return row
