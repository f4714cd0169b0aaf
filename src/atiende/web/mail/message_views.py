"""The ticket page's email pieces: the original of a message that came in by email, and
sending a failed reply again. Agents who can see the ticket."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atiende.core.actor import Actor
from atiende.core.errors import AtiendeError, NotFound
from atiende.core.html import text_to_html
from atiende.messaging import selectors
from atiende.messaging.email.parse import ParseError, parse_message
from atiende.messaging.outbound.services import retry_message_delivery
from atiende.tickets.models import Message, Ticket
from atiende.tickets.selectors import get_ticket, visible_messages
from atiende.web.common import actor, error_fragment, staff_required
from atiende.web.csp import REMOTE_IMAGES, widen
from atiende.web.mail.original import read_original
from atiende.web.mail.quarantine_views import raw_response
from atiende.web.templatetags.delivery_badges import channel_delivery
from atiende.web.ticket.page import shown_html


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
def message_view(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """One timeline message again, as asked: ``quoted=1`` with the quoted history the
    timeline leaves out (re-read from the email as it arrived), ``images=1`` with its remote
    images loaded.

    The ticket page's policy allows no remote image, and a policy belongs to its document: so
    with ``images=1`` the message's body is a sandboxed frame (``frame=1``: a document of its
    own whose policy, and only its, lets remote images in).
    """
    quoted = request.GET.get("quoted") == "1"
    images = request.GET.get("images") == "1"
    frame = request.GET.get("frame") == "1"
    try:
        caller = actor(request)
        ticket = get_ticket(caller, ticket_id)
        message = (
            selectors.with_email_state(visible_messages(caller, ticket).filter(pk=message_id))
            .select_related("author")
            .first()
        )
        if message is None:
            raise NotFound(_("Message not found."))
        source = message.body_html or text_to_html(message.body_text)
        if quoted:
            whole = parse_message(bytes(selectors.inbound_of(caller, message).raw))
            source = whole.html or text_to_html(whole.text)
    except ParseError:
        return error_fragment(request, AtiendeError(_("This email can no longer be read.")))
    except AtiendeError as error:
        return error_fragment(request, error)
    html, blocked = shown_html(source, remote_images=images)
    if frame:
        response = render(request, "web/mail/message_frame.html", {"html": html})
        response["X-Frame-Options"] = "SAMEORIGIN"
        widen(response, "frame-ancestors", "'self'")
        if images:
            widen(response, "img-src", *REMOTE_IMAGES)
        return response
    frame_url = ""
    if images:
        query = "images=1&frame=1" + ("&quoted=1" if quoted else "")
        frame_url = f"{reverse('mail-message-view', args=[ticket.pk, message.pk])}?{query}"
    context = {
        "frame_url": frame_url,
        "message": message,
        "html": html,
        "blocked_images": blocked,
        "quoted": quoted,
        "images": images,
    }
    return render(request, "web/ticket/_message.html", context)


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
    badge = channel_delivery(None, state, retried=True)
    return render(request, "web/ticket/_delivery.html", badge)
