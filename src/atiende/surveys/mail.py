"""The survey mail: one-click links in the customer's language, from the ticket's mailbox.

Sent after the commit by the outbox (``surveys.mail``), through messaging's own sending path:
the mailbox the ticket came in through (``queue.mailbox_for``), its sender and SMTP server
(``compose.sender``, ``smtp.send``), a signed Message-ID (a reply to the survey threads into
the ticket). The handler is safe to run twice: a request already mailed is not mailed again.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atiende.messaging.outbound import compose, headers, smtp
from atiende.messaging.outbound.queue import mailbox_for
from atiende.outbox.registry import Delivery, handles
from atiende.surveys import links, scales, services
from atiende.surveys.models import Kind, SurveyRequest


def link_for(request: SurveyRequest) -> str:
    """The signed part of every link of ``request``."""
    return links.sign(
        links.LinkClaim(request.pk, request.ticket_id, request.episode, request.token)
    )


def build(request: SurveyRequest, address: str) -> EmailMessage:
    """The survey mail of ``request`` to ``address``, in the request's language."""
    ticket = request.ticket
    signed = link_for(request)
    options = [(value, links.rate_url(signed, value)) for value in scales.values(request.scale)]
    with translation.override(request.language or None):
        nps = request.kind == Kind.NPS
        subject = _("Would you recommend us?") if nps else _("How did we do?")
        context = {
            "request": request,
            "ticket": ticket,
            "customer": request.customer,
            "options": [
                {"value": v, "url": u, "word": str(scales.WORDS.get(v, v))} for v, u in options
            ],
            "opt_out_url": links.opt_out_url(signed),
            "nps": request.kind == Kind.NPS,
        }
        text = render_to_string("surveys/email/survey.txt", context)
        html = render_to_string("surveys/email/survey.html", context)
    mailbox = mailbox_for(ticket) if ticket is not None else None
    msg = EmailMessage(policy=SMTP)
    msg["From"] = compose.sender(mailbox)
    msg["To"] = address
    if mailbox is not None:
        msg["Reply-To"] = formataddr((mailbox.display_name, mailbox.address))
    if ticket is not None:
        msg["Subject"] = headers.tagged(subject, ticket.number)
        msg["Message-ID"] = headers.bracketed(headers.new_message_id(ticket, mailbox))
        msg["X-Atiende-Ticket"] = str(ticket.number)
    else:
        msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Atiende-Survey"] = str(request.pk)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


@handles(services.MAIL, atomic=False)
def send_survey(effect: Delivery) -> None:
    """Mail one survey (skipped when it was mailed already or may no longer be)."""
    request = (
        SurveyRequest.objects.select_related("ticket", "customer")
        .filter(pk=effect.payload["request_id"])
        .first()
    )
    if request is None or request.mailed:
        return
    address = services.mail_address(request.ticket, request.customer)
    if not address:
        return
    msg = build(request, address)
    ticket = request.ticket
    mailbox = mailbox_for(ticket) if ticket is not None else None
    smtp.send(msg, mailbox=mailbox, from_addr=compose.envelope_sender(mailbox), to=[address])
    services.mark_mailed(request.pk)
