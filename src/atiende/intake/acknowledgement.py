"""The form's acknowledgement: "we received your request #N", with a link to follow it.

Promised in the submission's transaction (an outbox row), mailed after the commit in the
form's language (else the visitor's), through the mailbox the ticket would be answered from
(``messaging``'s choice and SMTP transport). The link is a signed status link
(``/forms/status/<token>/``): it shows that one ticket's number, subject and status to whoever
holds the mail, without signing in, and points to the portal for the conversation itself.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from atiende.core.actor import Actor
from atiende.core.language import default_language
from atiende.messaging.outbound import compose, notices, smtp
from atiende.messaging.outbound.queue import deliverable, is_own_address, mailbox_for
from atiende.outbox.registry import Delivery, handles
from atiende.outbox.services import enqueue
from atiende.tickets.models import Ticket
from atiende.tickets.selectors import visible_tickets

KIND = "intake.acknowledgement"
STATUS_SALT = "atiende.intake.status"
READER = Actor.system("intake:acknowledgement")


def status_token(ticket_id: int) -> str:
    return signing.dumps({"t": ticket_id}, salt=STATUS_SALT, compress=False)


def ticket_id_of(token: str) -> int | None:
    """The ticket a status link names, or ``None`` for a forged or altered one."""
    try:
        data = signing.loads(token, salt=STATUS_SALT)
    except signing.BadSignature:
        return None
    value = data.get("t") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def status_link(site_url: str, ticket_id: int) -> str:
    return site_url.rstrip("/") + reverse("forms:status", args=[status_token(ticket_id)])


def promise(ticket: Ticket, *, language: str, site_url: str) -> None:
    """Write the acknowledgement of ``ticket`` to the outbox (inside the submission)."""
    enqueue(
        KIND,
        payload={
            "ticket_id": ticket.pk,
            "language": language,
            "link": status_link(site_url, ticket.pk) if site_url else "",
        },
    )


# The mail's text in each shipped language, in code like messaging's built-in notification
# texts: what a customer reads does not depend on a compiled catalogue.
TEXTS = {
    "en": {
        "subject": "[#{number}] We received your request: {subject}",
        "hello": "Hello {name},",
        "received": "We have received your request and opened ticket #{number}. We will answer "
        "as soon as we can.",
        "follow": "Follow your request here:",
        "reply": "To add anything, reply to this email and keep the ticket number in the subject.",
    },
    "es": {
        "subject": "[#{number}] Hemos recibido su solicitud: {subject}",
        "hello": "Hola, {name}:",
        "received": "Hemos recibido su solicitud y abierto el ticket #{number}. Le responderemos "
        "lo antes posible.",
        "follow": "Siga su solicitud aquí:",
        "reply": "Para añadir algo, responda a este correo y conserve el número del ticket en el "
        "asunto.",
    },
}


def render(ticket: Ticket, *, language: str, link: str) -> tuple[str, str]:
    """``(subject, text)`` of the acknowledgement in ``language`` (else the default), with the
    out-of-hours or announcement notice first, as messaging's own acknowledgement carries it
    (a notice that ``replaces`` the text keeps the link to follow the request)."""
    language = language[:2] if language[:2] in TEXTS else default_language()
    texts = TEXTS.get(language) or TEXTS["en"]
    name = ticket.requester.first_name or ticket.requester.email or ""
    subject = texts["subject"].format(number=ticket.number, subject=ticket.subject)
    follow = ["", texts["follow"], link] if link else []
    lines = [texts["hello"].format(name=name), "", texts["received"].format(number=ticket.number)]
    lines += [*follow, "", texts["reply"]]
    notice = notices.notice_for(ticket, language)
    if notice is not None and notice.text.strip():
        lines = [notice.text.strip(), *(follow if notice.replaces else ["", *lines])]
    return subject, "\n".join(lines) + "\n"


@handles(KIND, atomic=False)
def mail_acknowledgement(effect: Delivery) -> None:
    """Mail the acknowledgement (a second run mails again: the outbox marks a sent one
    delivered right after; the same risk as any mail)."""
    payload = effect.payload
    ticket = (
        visible_tickets(READER).select_related("requester").filter(pk=payload["ticket_id"]).first()
    )
    if ticket is None:
        return
    address = (ticket.requester.email or "").strip()
    if not address or not deliverable(address) or is_own_address(address):
        return
    mailbox = mailbox_for(ticket)
    subject, text = render(ticket, language=payload["language"], link=payload["link"])
    msg = EmailMessage(policy=SMTP)
    msg["From"] = compose.sender(mailbox)
    msg["To"] = address
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = make_msgid(domain=compose.envelope_sender(mailbox).rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg["X-Atiende-Ticket"] = str(ticket.number)
    msg.set_content(text)
    smtp.send(msg, mailbox=mailbox, from_addr=compose.envelope_sender(mailbox), to=[address])
