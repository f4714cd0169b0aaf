"""The ticket page's email pieces: the original of a message that came in by email, and
sending a failed reply again. Agents who can see the ticket."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, NotFound
from atiende.messaging import selectors
from atiende.messaging.outbound.services import retry_message_delivery
from atiende.tickets.models import Message, Ticket
from atiende.tickets.selectors import get_ticket, visible_messages
from atiende.web.common import actor, error_fragment, staff_required
from atiende.web.mail.original import read_original
from atiende.web.mail.quarantine_views import raw_response


def _message(caller: Actor, ticket_id: int, message_id: int) -> tuple[Ticket, Message]:
    ticket = get_ticket(caller, ticket_id)
    message = visible_messages(caller, ticket).filter(pk=message_id).first()
    if message is None:
        raise NotFound(_("Message not found."))
    return ticket, message


@staff_required
@require_GET
def original(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """The whole email as it arrived: headers, full text, sanitized HTML (quoted history and
    signature included)."""
    try:
        caller = actor(request)
        ticket, message = _message(caller, ticket_id, message_id)
        inbound = selectors.inbound_of(caller, message)
    except AtiendeError as error:
        return render(request, "web/setup/error.html", {"error": error}, status=error.status)
    context = {
        "ticket": ticket,
        "message": message,
        "inbound": inbound,
        "original": read_original(bytes(inbound.raw)),
    }
    return render(request, "web/mail/original.html", context)


@staff_required
@require_GET
def original_raw(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    try:
        caller = actor(request)
        _ticket, message = _message(caller, ticket_id, message_id)
        inbound = selectors.inbound_of(caller, message)
    except AtiendeError as error:
        return render(request, "web/setup/error.html", {"error": error}, status=error.status)
    return raw_response(inbound)


@staff_required
@require_POST
def retry_delivery(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """Queue the failed email of a reply again; answers the message's new email state."""
    try:
        row = retry_message_delivery(actor(request), ticket_id=ticket_id, message_id=message_id)
    except AtiendeError as error:
        return error_fragment(request, error)
    message = row.ticket_message
    assert message is not None  # the service found the row through its message
    state = SimpleNamespace(
        pk=message.pk,
        ticket_id=message.ticket_id,
        direction=message.direction,
        email_inbound_id=None,
        email_delivery_id=row.pk,
        email_delivery_state=row.state,
        email_delivery_reason=row.reason,
    )
    return render(request, "web/mail/_message_email.html", {"message": state, "retried": True})
