"""One `OutboundEmail` row as a MIME message, ready for SMTP.

The body is rendered when the mail is built (at each attempt), from the ticket message for a
reply and from the notification template otherwise; the headers that identify the mail
(Message-ID, In-Reply-To, References, subject, recipients) were fixed when it was queued.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from atiende.core.html import text_to_html
from atiende.core.language import or_default
from atiende.messaging import templates
from atiende.messaging.models import Mailbox, OutboundEmail, OutboundKind, ThreadKey
from atiende.messaging.outbound import headers, notices
from atiende.tickets.models import Attachment, Message, Ticket


def sender(mailbox: Mailbox | None) -> str:
    """``Display Name <address>`` of the mailbox, else the site's default sender."""
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    name = mailbox.display_name or mailbox.brand_name
    return formataddr((name, mailbox.address)) if name else mailbox.address


def envelope_sender(mailbox: Mailbox | None) -> str:
    return mailbox.address if mailbox is not None else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def language_for(ticket: Ticket) -> str:
    """The customer's language, else the instance default (never English by accident)."""
    return or_default(ticket.requester.locale)


def render(
    kind: str,
    *,
    ticket: Ticket | None = None,
    mailbox: Mailbox | None = None,
    message: Message | None = None,
    outbound: OutboundEmail | None = None,
) -> tuple[str, str, str]:
    """``(subject, text, html)``; an agent's reply is wrapped in the "agent replied" text,
    with the mailbox's signature under it."""
    if outbound is not None:
        ticket, mailbox, message = outbound.ticket, outbound.mailbox, outbound.ticket_message
    assert ticket is not None
    reply = kind == OutboundKind.REPLY
    subject, text, html = templates.render_notification(
        OutboundKind.REPLIED if reply else kind,
        language=language_for(ticket),
        mailbox=mailbox,
        ticket=ticket,
        message=message,
    )
    if kind == OutboundKind.RECEIVED:
        text, html = _with_notice(ticket, text, html)
    if reply and mailbox is not None and mailbox.signature.strip():
        text = f"{text.rstrip()}\n\n-- \n{mailbox.signature.strip()}\n"
        html += text_to_html(mailbox.signature.strip())
    return subject, text, html


def _with_notice(ticket: Ticket, text: str, html: str) -> tuple[str, str]:
    """The acknowledgement with the out-of-hours or announcement notice first (or alone)."""
    notice = notices.notice_for(ticket, language_for(ticket))
    if notice is None or not notice.text.strip():
        return text, html
    if notice.replaces:
        return f"{notice.text.strip()}\n", text_to_html(notice.text.strip())
    return f"{notice.text.strip()}\n\n{text}", text_to_html(notice.text.strip()) + html


def build(outbound: OutboundEmail) -> EmailMessage:
    """The complete message for ``outbound`` (policy SMTP: CRLF line ends)."""
    ticket = outbound.ticket
    mailbox = outbound.mailbox
    _subject, text, html = render(outbound.kind, outbound=outbound)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender(mailbox)
    msg["To"] = ", ".join(outbound.to)
    if outbound.cc:
        msg["Cc"] = ", ".join(outbound.cc)
    if mailbox is not None:
        msg["Reply-To"] = formataddr((mailbox.display_name, mailbox.address))
    msg["Subject"] = outbound.subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = headers.bracketed(outbound.message_id)
    if outbound.in_reply_to:
        msg["In-Reply-To"] = headers.bracketed(outbound.in_reply_to)
    if outbound.references:
        msg["References"] = " ".join(headers.bracketed(r) for r in outbound.references.split())
    key = ThreadKey.objects.filter(message_id=outbound.message_id).first()
    if key is not None and key.thread_index:
        msg["Thread-Index"] = headers.thread_index(ticket, outbound.created_at, key.thread_index)
    msg["Thread-Topic"] = headers.clean_subject(ticket.subject, ticket.number)
    msg["X-Atiende-Ticket"] = str(ticket.number)
    if outbound.kind != OutboundKind.REPLY:
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"  # no out-of-office answers to a notification
    msg.set_content(text)
    msg.add_alternative(f"<!DOCTYPE html><html><body>{html}</body></html>", subtype="html")
    if outbound.ticket_message is not None:
        _attach(msg, outbound.ticket_message.attachments.all())
    return msg


def _attach(msg: EmailMessage, attachments: QuerySet[Attachment]) -> None:
    for attachment in attachments.order_by("pk"):
        maintype, _, subtype = (attachment.content_type or "application/octet-stream").partition(
            "/"
        )
        with attachment.file.open("rb") as handle:
            data = handle.read()
        msg.add_attachment(
            data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
